// mount(2) with MS_SET_GROUP inside the VM, on the patched kernel: set-group joins a private bind
// mount into the source's peer group, the side-effect-free probe gives ENOENT, and every
// combination with another command flag gives EINVAL.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findExecutable } from '../../src/vm/host.js';
import { runInVm } from '../../src/vm/run.js';
import { expectCompleted, runGuestJob, tsxCommand } from './guest-job.js';
import { collector, kernelOrSkip } from './helpers.js';

const kernel = kernelOrSkip('MS_SET_GROUP VM tests');
const BOOT_BUDGET_MS = 90_000;
const CHECK_SOURCE = fileURLToPath(new URL('./set-group-check.c', import.meta.url));
const ENOENT = -2;
const EINVAL = -22;

/** The `name value` result lines of the check program. */
function results(output: string): Map<string, number> {
  return new Map(output.split('\n').filter((l) => /^\w+ -?\d+$/.test(l)).map((l) => {
    const [name, value] = l.split(' ');
    return [name ?? '', Number(value)];
  }));
}

/** The mountinfo lines of the check program's output (printed as `mountinfo LINE`). */
function mountinfoOf(output: string): string[] {
  return output.split('\n').filter((l) => l.startsWith('mountinfo ')).map((l) => l.slice('mountinfo '.length));
}

/** The mountinfo lines whose mount point is `mountPoint`. */
function mountsAt(mountinfo: string[], mountPoint: string): string[] {
  return mountinfo.filter((l) => l.split(' ')[4] === mountPoint);
}

/** The propagation fields (`shared:N`, `master:N`) of the one mount at `mountPoint`. */
function propagation(mountinfo: string[], mountPoint: string): string {
  const [line] = mountsAt(mountinfo, mountPoint);
  if (!line) throw new Error(`no mountinfo line for ${mountPoint} in:\n${mountinfo.join('\n')}`);
  const fields = line.split(' ');
  return fields.slice(6, fields.indexOf('-')).join(' ');
}

/** True when gcc can build the check program; otherwise says why the C suite skips. */
function gccOrSkip(): boolean {
  if (findExecutable('gcc')) return true;
  if (kernel) console.warn('skipping the C VM test: gcc is not installed (apt-get install gcc)');
  return false;
}

describe.skipIf(!kernel || !gccOrSkip())('mount(2) MS_SET_GROUP in the patched guest (C)', () => {
  let dir: string;
  let output: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'msg-vm-test-'));
    execFileSync('gcc', ['-O', '-Wall', '-o', join(dir, 'set-group-check'), CHECK_SOURCE]);
    const out = collector();
    const err = collector();
    const result = await runInVm({
      kernel, command: ['./set-group-check'], cwd: dir, writable: dir, stdout: out.stream, stderr: err.stream, timeout: BOOT_BUDGET_MS,
    });
    output = out.text();
    expect(err.text()).toBe('');
    expect(result.status).toBe(0);
  }, BOOT_BUDGET_MS);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('joins private B into shared A\'s peer group', () => {
    expect(results(output).get('set_group')).toBe(0);
    const groupOfA = propagation(mountinfoOf(output), '/tmp/sg/a');
    expect(groupOfA).toMatch(/^shared:\d+$/);
    expect(propagation(mountinfoOf(output), '/tmp/sg/b')).toBe(groupOfA);
  });

  it('follows a symlink in the source path, as MS_MOVE does', () => {
    expect(results(output).get('via_symlink')).toBe(0);
    expect(propagation(mountinfoOf(output), '/tmp/sg/d')).toBe(propagation(mountinfoOf(output), '/tmp/sg/a'));
  });

  it('gives ENOENT for the probe mount("/nonexistent", "/", NULL, MS_SET_GROUP, NULL)', () => {
    expect(results(output).get('probe')).toBe(ENOENT);
  });

  it('gives EINVAL with any other command flag, and does not do that operation', () => {
    const r = results(output);
    for (const name of ['with_bind', 'with_move', 'with_remount', 'with_shared', 'with_rec']) expect([name, r.get(name)]).toEqual([name, EINVAL]);
    expect(propagation(mountinfoOf(output), '/tmp/sg/c')).toBe('');
    expect(mountsAt(mountinfoOf(output), '/tmp/sg/c')).toHaveLength(1);
  });

  it('applies do_set_group\'s rules: a target that is already shared gives EINVAL', () => {
    expect(results(output).get('target_shared')).toBe(EINVAL);
  });
});

describe.skipIf(!kernel)('mount(2) MS_SET_GROUP in the patched guest (Node addon)', () => {
  it('mountSetGroup(A, B) makes B a peer of A, and the probe gives ENOENT', async () => {
    type Report = { loadedFrom: string; steps: number[]; setGroup: number; probe: number; mountinfo: string[] };
    const job = await runGuestJob<Report>({ kernel: kernel!, command: tsxCommand(new URL('./guest/addon-set-group.ts', import.meta.url)), timeout: BOOT_BUDGET_MS });
    const got = expectCompleted(job);
    expect(got.loadedFrom).toMatch(/\/(build\/Release|prebuilds\/linux-x64)\/[^/]+\.node$/);
    expect(got.steps).toEqual([0, 0, 0, 0]);
    expect(got.setGroup).toBe(0);
    expect(got.probe).toBe(ENOENT);
    expect(propagation(got.mountinfo, '/tmp/n/a')).toMatch(/^shared:\d+$/);
    expect(propagation(got.mountinfo, '/tmp/n/b')).toBe(propagation(got.mountinfo, '/tmp/n/a'));
  }, BOOT_BUDGET_MS + 30_000);
});
