// A real runtime: a runc container (busybox-static rootfs, a /data volume that is an rbind of a
// host directory, rprivate), started inside the test's private namespace with its state there
// too (children/runc-session.ts). It checks attach and detach end to end — what `runc exec` reads
// in the container — and dump -> restore -> compare of the container's namespace: refused up front
// without the superblocks and live group it needs, exact with them on the kernel and on the
// model, and creating nothing outside its places (the host's /sys/fs/cgroup, /sys, /proc). Uses
// runc when it is installed (CI installs it); skips, saying why, only where runc cannot start one.
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { compareTopologies } from '../../src/restore/restore.js';
import { childTimeoutMs, kernelUnavailable } from '../support/kernel.js';
import { runPrivateSync } from '../../src/process/child.js';
import type { RuncSession } from './children/runc-session.js';

/** Why this suite cannot run here at all. */
function unavailable(): string | undefined {
  if (kernelUnavailable) return kernelUnavailable;
  const runc = spawnSync('runc', ['--version'], { encoding: 'utf8' });
  return runc.error ? `runc is not installed (${runc.error.message}; apt-get install runc)` : undefined;
}

const why = unavailable();

describe.skipIf(why)(`a runc container: attach, detach, dump and restore${why ? ` [skipped: ${why}]` : ''}`, () => {
  let session: RuncSession | { cannotStart: string };
  /** The session, or a skip saying why runc could not start a container here. */
  let started: (skip: (note: string) => never) => RuncSession;

  beforeAll(() => {
    const child = runPrivateSync(new URL('./children/runc-session.ts', import.meta.url), [], { timeout: Math.max(childTimeoutMs, 240_000) });
    if (child.status !== 0) throw new Error(`the runc session failed (${child.status ?? child.signal}): ${child.stderr}`);
    session = JSON.parse(child.stdout) as RuncSession;
    started = (skip) => ('mountinfo' in session ? session : skip(`runc cannot start a container here: ${session.cannotStart}`));
  });

  it('runc started the container, with its volume a private bind and its root a slave of the host directory', ({ skip }) => {
    const s = started((note) => skip(note) as never);
    expect(s.mountinfo).toMatch(/ \/ r[ow],[^ ]* master:\d+ - tmpfs host /);
    expect(s.mountinfo).toMatch(/ \/data rw,relatime - tmpfs volume rw/);
  });

  it('attach: a host mount made under the source afterwards is readable in the container; detach: one made afterwards is not', ({ skip }) => {
    const s = started((note) => skip(note) as never);
    expect(s.attach).toMatchObject({ status: 0, stderr: '' });
    expect(s.attach.stdout).toMatch(/^attached \S+\/S\/vol to \/data in process \d+: the volume is now a slave of peer group \d+/);
    expect(s.readAfterAttach).toMatchObject({ status: 0, stdout: 'hello from the host\n' });
    expect(s.detach).toMatchObject({ status: 0, stderr: '' });
    expect(s.readAfterDetach.status).not.toBe(0);
    expect(s.readAfterDetach.stdout).toBe('');
  });

  it('the target is echoed as the container names the volume, and the undo names it so too', ({ skip }) => {
    const s = started((note) => skip(note) as never);
    expect(s.attach.stdout).toMatch(/^attached \S+\/S\/vol to \/data in process/);
    expect(s.attach.stdout).toMatch(new RegExp(`^Undo: mount-set-group detach ${s.pid} /data$`, 'm'));
  });

  it('of two attaches at once, one wins and the other is told to detach first', ({ skip }) => {
    const s = started((note) => skip(note) as never);
    const [won, lost] = s.concurrent[0].ok ? s.concurrent : [s.concurrent[1], s.concurrent[0]];
    expect(won).toMatchObject({ ok: true });
    expect(lost).toMatchObject({ ok: false, code: 'EINVAL', reason: expect.stringMatching(new RegExp(`is already a slave \\(master:\\d+\\).*make it private first: mount-set-group detach ${s.pid} /data$`)) });
    expect(lost.ok === false && lost.reason).not.toMatch(/--make-private/);
    expect(s.detachConcurrent).toMatchObject({ ok: true });
  });

  it('a file volume: naming the plain file is refused with the mount to name; attached so, a file mounted on the host file shows in the container', ({ skip }) => {
    const s = started((note) => skip(note) as never);
    expect(s.fileByPath.status).toBe(1);
    expect(s.fileByPath.stderr).toContain(`the source '${s.conf}/app.conf' is not the root of a mount (it lies inside the mount at '${s.conf}'); set-group joins whole mounts; name the mount that holds it: mount-set-group attach ${s.pid} ${s.conf} /etc/app.conf, and mounts made under ${s.conf}/app.conf from then on show up under /etc/app.conf`);
    expect(s.file).toMatchObject({ status: 0, stderr: '' });
    expect(s.file.stdout).toContain(`A file mounted on ${s.conf}/app.conf from now on is mounted on /etc/app.conf in process ${s.pid} too; nothing comes back.`);
    expect(s.readFile).toMatchObject({ status: 0, stdout: 'version 2\n' });
  });

  it('a plain-directory volume: attached with the mount that holds the directory, it receives what is mounted under that directory, and says so', ({ skip }) => {
    const s = started((note) => skip(note) as never);
    expect(s.directoryByPath.status).toBe(1);
    expect(s.directoryByPath.stderr).toContain(`name the mount that holds it: mount-set-group attach ${s.pid} ${s.conf} /srv, and mounts made under ${s.conf}/dir from then on show up under /srv`);
    expect(s.directory).toMatchObject({ status: 0, stderr: '' });
    expect(s.directory.stdout).toContain(`Mounts made under ${s.conf}/dir (the part of ${s.conf} that /srv shows) from now on show up under /srv in process ${s.pid}; nothing comes back.`);
    expect(s.readDirectory).toMatchObject({ status: 0, stdout: 'hello in /srv\n' });
  });

  it('dump records the files runc binds (/proc/keys masked with a file of /dev) as files', ({ skip }) => {
    const s = started((note) => skip(note) as never);
    expect(s.dump).toEqual({ status: 0, stdout: '', stderr: '' });
    const keys = s.topology.mounts.find((m) => m.mountPoint === '/proc/keys');
    expect(keys).toMatchObject({ fsType: 'tmpfs', file: true });
    expect(s.topology.mounts.filter((m) => m.file === null)).toEqual([]);
  });

  it('without externals and a tie the restore is refused up front, naming what to give, and the dry run shows files made as files', ({ skip }) => {
    const s = started((note) => skip(note) as never);
    expect(s.dryRunBare.status).toBe(1);
    expect(s.dryRunBare.stderr).toMatch(/cannot restore: superblock \d+:\d+ \(sysfs sysfs\) is not created afresh/);
    expect(s.dryRunBare.stderr).toMatch(/cannot restore: mount \d+ at '\/' is a slave of peer group \d+, .*--tie \d+=PATH/);
    expect(s.dryRunBare.stderr).toMatch(/cannot restore: superblock \d+:\d+ \(mqueue mqueue\) is not created afresh/);
    expect(s.dryRunBare.stderr).toMatch(/cannot restore: superblock \d+:\d+ \(cgroup2? cgroup2?\) is not created afresh/);
    expect(s.dryRunBare.stderr).toMatch(/^hint: this namespace shows superblock \d+:\d+ \(cgroup2?\) at \/sys\/fs\/cgroup\S*: --external \d+:\d+=\/sys\/fs\/cgroup/m);
    expect(s.dryRun).toMatchObject({ status: 0, stderr: '' });
    expect(s.dryRun.stdout).toMatch(/^touch \S+\/into\/proc\/keys$/m);
    expect(s.dryRun.stdout).not.toMatch(/^mkdir -p \S+\/into\/proc\/keys$/m);
    expect(s.dryRun.stdout).not.toMatch(/^mount -t (sysfs|mqueue|cgroup2?) /m);
  });

  it("restores the container's namespace exactly on the kernel, with its root tied to the host's live group", ({ skip }) => {
    const s = started((note) => skip(note) as never);
    expect(s.restore).toMatchObject({ status: 0, stderr: '' });
    expect(s.restore.stdout).toMatch(new RegExp(`^restored ${s.topology.mounts.length} mounts at \\S+ \\(kernel\\): .* the result matches the topology\\n$`));
    expect(compareTopologies(s.topology, s.restored)).toBeUndefined();
    const root = s.restored.mounts.find((m) => m.mountPoint === '/')!;
    expect(root.master).toBe(s.topology.mounts.find((m) => m.mountPoint === '/')!.master);
  });

  it('restores it exactly on a model host that holds the same externals and live group', ({ skip }) => {
    const s = started((note) => skip(note) as never);
    expect(s.model).toMatchObject({ ok: true });
  });

  it('the restores create nothing under /sys/fs/cgroup, /sys or /proc, and change nothing in the container', ({ skip }) => {
    const s = started((note) => skip(note) as never);
    expect(s.after).toEqual(s.before);
    expect(s.mountinfoAfter).toBe(s.mountinfoBefore);
    expect(s.afterGone.sys).toEqual(s.before.sys);
    expect(s.afterGone.proc).toEqual(s.before.proc);
  });

  it("after runc delete, a restore of the dump fails on the container's missing cgroups and makes none", ({ skip }) => {
    const s = started((note) => skip(note) as never);
    expect(s.restoreGone.status).toBe(1);
    expect(s.restoreGone.stderr).toMatch(/ENOENT/);
    expect(s.cgroupsLeft).toEqual([]);
  });
});
