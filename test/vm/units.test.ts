// The pure parts of the VM code, without QEMU: shell quoting and the generated init, the QEMU
// command line, the config-fragment check, the prerequisite check and the cache key.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { guestInitScript, shellQuote } from '../../src/vm/guest-init.js';
import { checkPrerequisites, unappliedOptions } from '../../src/vm/kernel-build.js';
import { cacheKey } from '../../src/vm/kernel-cache.js';
import { kernelCommandLine, qemuArgs, type QemuSpec } from '../../src/vm/qemu.js';

const scratch = mkdtempSync(join(tmpdir(), 'msg-vm-units-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('shellQuote', () => {
  it.each(["plain", "it's", "a b\tc\nd", "$HOME `id` \\ \"q\"", "''", ""])('gives the shell back %j unchanged', (value) => {
    expect(execFileSync('/bin/sh', ['-c', `printf %s ${shellQuote(value)}`]).toString()).toBe(value);
  });
});

describe('guestInitScript', () => {
  const script = guestInitScript({
    argv: ['node', '-e', "console.log('x y')"], cwd: '/work/my project', env: { PATH: '/usr/bin', A: "it's" },
    writable: '/work/my project', startedMarker: 'msg-vm:1234:started',
  });

  it('is valid busybox sh', () => {
    const file = join(scratch, 'init');
    writeFileSync(file, script);
    expect(() => execFileSync('/bin/busybox', ['sh', '-n', file])).not.toThrow();
  });

  it('runs the argv in cwd with only the given environment, and reports the status before rebooting', () => {
    expect(script).toContain(`cd '/work/my project' && exec $B env -i 'PATH=/usr/bin' 'A=it'\\''s' $B sh -c 'exec "$@"' msg-vm 'node' '-e' 'console.log('\\''x y'\\'')'`);
    expect(script.indexOf('/status')).toBeLessThan(script.lastIndexOf('reboot -f'));
    expect(script).toContain("mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000,cache=mmap msgrw '/work/my project'");
  });
});

describe('guestInitScript with a kept directory (a cwd under /tmp, read-only)', () => {
  const script = guestInitScript({ argv: ['pwd'], cwd: "/tmp/ci clone", env: {}, keep: ["/tmp/ci clone"], startedMarker: 'm' });
  const lines = script.split('\n');
  const at = (pattern: RegExp) => lines.findIndex((line) => pattern.test(line));

  it('is valid busybox sh', () => {
    const file = join(scratch, 'init-keep');
    writeFileSync(file, script);
    expect(() => execFileSync('/bin/busybox', ['sh', '-n', file])).not.toThrow();
  });

  it('binds it aside on /dev before the tmpfs hides it, and moves it back after', () => {
    const aside = at(/mount --bind '\/tmp\/ci clone' \/dev\/\.msg-keep\/0 /);
    const back = at(/mount --move \/dev\/\.msg-keep\/0 '\/tmp\/ci clone' /);
    expect(at(/mount -t devtmpfs/)).toBeLessThan(aside);
    expect(aside).toBeLessThan(at(/mount -t tmpfs -o mode=1777 tmpfs \/tmp /));
    expect(at(/mount -t tmpfs -o mode=755 tmpfs \/run /)).toBeLessThan(back);
    expect(back).toBeLessThan(at(/cd '\/tmp\/ci clone' && exec/));
  });
});

describe('qemuArgs', () => {
  const spec: QemuSpec = {
    kernel: '/k/bzImage', memMiB: 512, cpus: 2, accel: 'tcg', init: '/tmp/r/job/init', jobDir: '/tmp/r,job',
    stdoutSocket: '/tmp/r/o.sock', stderrSocket: '/tmp/r/e.sock',
  };

  it('exports the host root read-only and the job directory with commas escaped', () => {
    const args = qemuArgs(spec);
    expect(args).toContain('local,id=root,path=/,security_model=none,multidevs=remap,readonly=on');
    expect(args).toContain('local,id=msgjob,path=/tmp/r,,job,security_model=none,multidevs=remap');
    expect(args).toEqual(expect.arrayContaining(['-no-reboot', '-nodefaults', '-accel', 'tcg', '-cpu', 'max']));
  });

  it('refuses to export / writable', () => {
    expect(() => qemuArgs({ ...spec, writable: '/' })).toThrow(/refusing to export \//);
  });

  it('boots from the 9p tag root, read-only, with the given init', () => {
    expect(kernelCommandLine('/x/init')).toMatch(/root=root rootfstype=9p .* ro init=\/x\/init /);
  });
});

describe('unappliedOptions', () => {
  const fragment = 'CONFIG_A=y\nCONFIG_B="s"\nCONFIG_C=n\n# CONFIG_D is not set\n';

  it('accepts a config that holds every option, absent counting as n', () => {
    expect(unappliedOptions(fragment, 'CONFIG_A=y\nCONFIG_B="s"\n# CONFIG_C is not set\n')).toEqual([]);
  });

  it('names each option that did not stick', () => {
    expect(unappliedOptions(fragment, '# CONFIG_A is not set\nCONFIG_B="t"\nCONFIG_D=y\n')).toEqual([
      'CONFIG_A=y (got not set)', 'CONFIG_B="s" (got "t")', 'CONFIG_D=n (got y)',
    ]);
  });
});

describe('checkPrerequisites', () => {
  it('names a missing source tarball and the apt-get command that installs it', () => {
    expect(() => checkPrerequisites('/nonexistent/linux-source-6.12.tar.xz'))
      .toThrow(/missing: kernel source \/nonexistent\/linux-source-6\.12\.tar\.xz[\s\S]*apt-get install linux-source-6\.12/);
  });
});

describe('cacheKey', () => {
  const [tarball, patch, fragment] = ['t.tar.xz', '0001-x.patch', 'vm.config'].map((name) => join(scratch, name)) as [string, string, string];
  const formatPatch = (message: string, diff: string): string =>
    `From 0 Mon Sep 17 00:00:00 2001\nSubject: [PATCH] x\n\n${message}\n---\n a | 1 +\n\ndiff --git a/a b/a\n${diff}\n-- \n2.39.5\n`;

  it('changes when the fragment or a patch\'s diff changes, not when its message or signature does', () => {
    writeFileSync(tarball, 'tar');
    writeFileSync(patch, formatPatch('message', '+x'));
    writeFileSync(fragment, 'CONFIG_A=y\n');
    const first = cacheKey(tarball, [patch], fragment);
    writeFileSync(patch, formatPatch('reworded message', '+x').replace('2.39.5', '2.47.0'));
    expect(cacheKey(tarball, [patch], fragment)).toBe(first);
    writeFileSync(patch, formatPatch('message', '+y'));
    expect(cacheKey(tarball, [patch], fragment)).not.toBe(first);
    writeFileSync(patch, formatPatch('message', '+x'));
    writeFileSync(fragment, 'CONFIG_A=n\n');
    expect(cacheKey(tarball, [patch], fragment)).not.toBe(first);
  });
});
