// setGroup() on the real kernel. Every scenario runs in a child with its own private mount
// namespace on a fresh tmpfs (src/scenario/worker.ts); the checks read that child's mountinfo.
import { beforeAll, describe, expect, it } from 'vitest';
import type { WorkerResponse } from '../../src/scenario/worker-client.js';
import { runOnKernel } from '../../src/scenario/worker-client.js';
import { kernelSuite, kernelUnavailable, mountAt, runChild, testMethod } from '../support/kernel.js';

/** A shared tmpfs `a` and private binds of it; the scenarios below add to this. */
const base = 'mkdir a b c\nmount -t tmpfs t a\nmkdir a/sub\nmount --bind a b\nmount --bind a c\nmount --make-shared a';

const scenarios = {
  sharedSource: `${base}\nmount --set-group a b`,
  slaveSource: `${base}\nmount --bind a c\nmount --make-slave c\nmount --set-group c b`,
  sharedSlaveSource: `${base}\nmount --bind a c\nmount --make-slave c\nmount --make-shared c\nmount --set-group c b`,
  nothingPropagates: `${base}\nmkdir a/sub/x\nmount -t tmpfs child a/sub\nmount --set-group a b`,
  sourceNotMountRoot: `${base}\nmount --set-group a/sub b`,
  targetNotMountRoot: `${base}\nmkdir b/sub2\nmount --set-group a b/sub2`,
  differentSuperblock: `${base}\nmkdir other\nmount -t tmpfs other other\nmount --set-group a other`,
  targetRootOutsideSource: `${base}\nmkdir narrow\nmount --bind a/sub narrow\nmount --make-shared narrow\nmount --set-group narrow b`,
  targetShared: `${base}\nmount --make-shared b\nmount --set-group a b`,
  targetSlave: `${base}\nmount --bind a c\nmount --make-slave c\nmount --set-group a c`,
  sourcePrivate: `${base}\nmount --make-private a\nmount --set-group a b`,
  missingTarget: `${base}\nmount --set-group a nowhere`,
} as const;

describe.skipIf(kernelUnavailable)(kernelSuite(`kernel set-group (method ${testMethod})`), () => {
  const results = {} as Record<keyof typeof scenarios, WorkerResponse>;

  beforeAll(() => {
    const names = Object.keys(scenarios) as (keyof typeof scenarios)[];
    const responses = runOnKernel(names.map((name) => ({ script: scenarios[name], setGroupMethod: testMethod })));
    names.forEach((name, i) => (results[name] = responses[i]!));
  });

  const at = (name: keyof typeof scenarios, path: string) => mountAt(results[name].mountinfo, results[name].dir, path);
  const onlyFailure = (name: keyof typeof scenarios) => {
    const { failures } = results[name];
    expect(failures.map((f) => f.text)).toEqual([failures.at(-1)?.text].filter(Boolean));
    expect(failures).toHaveLength(1);
    return failures[0]!;
  };

  it('a private target of a shared source joins its peer group', () => {
    expect(results.sharedSource.failures).toEqual([]);
    const [a, b] = [at('sharedSource', 'a'), at('sharedSource', 'b')];
    expect(a.shared).toBeGreaterThan(0);
    expect(b.shared).toBe(a.shared);
    expect(b.master).toBeUndefined();
  });

  it('a private target of a slave source becomes a slave of the same master', () => {
    expect(results.slaveSource.failures).toEqual([]);
    const [a, b, c] = [at('slaveSource', 'a'), at('slaveSource', 'b'), at('slaveSource', 'c')];
    expect(c.master).toBe(a.shared);
    expect(b.master).toBe(a.shared);
    expect(b.shared).toBeUndefined();
  });

  it('a private target of a shared slave source becomes a shared slave in the same group', () => {
    expect(results.sharedSlaveSource.failures).toEqual([]);
    const [a, b, c] = [at('sharedSlaveSource', 'a'), at('sharedSlaveSource', 'b'), at('sharedSlaveSource', 'c')];
    expect(c.shared).toBeDefined();
    expect(c.shared).not.toBe(a.shared);
    expect([b.shared, b.master]).toEqual([c.shared, a.shared]);
  });

  it("copies none of the source's children onto the target", () => {
    const { mountinfo, dir } = results.nothingPropagates;
    expect(results.nothingPropagates.failures).toEqual([]);
    expect(mountinfo).toContain(` ${dir}/a/sub `);
    expect(mountinfo).not.toContain(` ${dir}/b/sub `);
    expect(at('nothingPropagates', 'b').shared).toBe(at('nothingPropagates', 'a').shared);
  });

  it.each([
    ['sourceNotMountRoot', /the source '.*\/a\/sub' is not the root of a mount \(it lies inside the mount at '.*\/a'\)/],
    ['targetNotMountRoot', /the target '.*\/b\/sub2' is not the root of a mount/],
    ['differentSuperblock', /different filesystems \(device \d+:\d+ and \d+:\d+\)/],
    ['targetRootOutsideSource', /the target's root '\/' is not inside the source's root '\/sub'/],
    ['targetShared', /the target is already shared \(shared:\d+\); make it private first/],
    ['targetSlave', /the target is already a slave \(master:\d+\); make it private first/],
    ['sourcePrivate', /the source is private/],
  ] as const)('%s: EINVAL with the broken rule as reason', (name, reason) => {
    const failure = onlyFailure(name);
    expect(failure.code).toBe('EINVAL');
    expect(failure.reason).toMatch(reason);
  });

  it('a missing target: ENOENT naming the path', () => {
    const failure = onlyFailure('missingTarget');
    expect(failure.code).toBe('ENOENT');
    expect(failure.reason).toMatch(/'.*\/nowhere' does not exist/);
  });

  it('works through O_PATH fds, alone or mixed with paths, and explains fd errors', () => {
    type Outcome = { ok?: true; code?: string; reason?: string; path?: unknown; dest?: unknown };
    const r = runChild<Record<string, Outcome> & { dir: string; mountinfo: string }>(new URL('./children/through-fds.ts', import.meta.url));
    expect(r.bothFds).toEqual({ ok: true });
    expect(r.pathAndFd).toEqual({ ok: true });
    const a = mountAt(r.mountinfo, r.dir, 'a');
    expect(mountAt(r.mountinfo, r.dir, 'b').shared).toBe(a.shared);
    expect(mountAt(r.mountinfo, r.dir, 'c').shared).toBe(a.shared);
    expect(r.fdNotMountRoot!.code).toBe('EINVAL');
    expect(r.fdNotMountRoot!.reason).toMatch(/the source 'fd \d+' is not the root of a mount/);
    expect(typeof r.fdNotMountRoot!.path).toBe('number');
    expect(r.closedFd!.code).toBe('EBADF');
    expect(r.closedFd!.reason).toMatch(/fd \d+ is not an open file descriptor/);
  });

  it("EPERM for a process in a child user namespace acting on its parent's mounts through fds", () => {
    const r = runChild<Record<string, { code?: string; reason?: string }>>(new URL('./children/without-capability.ts', import.meta.url));
    for (const attempt of [r.throughFds!, r.intoOwnCopy!]) {
      expect(attempt.code).toBe('EPERM');
      expect(attempt.reason).toMatch(/^the caller lacks CAP_SYS_ADMIN over the user namespace that owns/); // it has it over its own: not 'run it as root'
    }
    expect(r.throughProcRoot!.code).toBe('EACCES');
    expect(r.throughProcRoot!.reason).toMatch(/ptrace access/);
  });

  it('joins mounts of two sibling user+mount namespaces through fds (the kernel selftest case)', () => {
    type Entry = { shared?: number; master?: number };
    const r = runChild<{ first: Entry; second: Entry; own: Entry }>(new URL('./children/sibling-namespaces.ts', import.meta.url));
    expect(r.first.shared).toBeGreaterThan(0);
    expect(r.second.shared).toBe(r.first.shared);
    expect(r.own.shared).toBeUndefined();
  });
});
