// fs.mount-max (count_mounts()): where exactly the kernel says ENOSPC, with nothing created, and
// whether the model says it at the same line. The sysctl is global, so the kernel side is never
// lowered: the scenarios fill the namespace to the default 100000 by repeated rbinds, each
// doubling a tree. The model gets the same headroom: its fs.mount-max is lowered by the number of
// mounts the kernel namespace holds beyond the model's before the scenario starts. The only suite
// of test/model that needs the live kernel: its answers are tables of 100,000 mounts, too large to
// record (test/support/kernel-answers.ts).
import { beforeAll, describe, expect, it } from 'vitest';
import { runOnKernel, type WorkerResponse } from '../../src/scenario/worker-client.js';
import { parse } from '../../src/mountinfo/index.js';
import { DEFAULT_MOUNT_MAX } from '../../src/model/index.js';
import { kernelSuite, kernelUnavailable } from '../support/kernel.js';
import { script } from './support/agree.js';
import { expectSameOutcome, kernelOutcome, modelNamespace, runOnModel } from './support/differential.js';

/** The number of mounts in a mountinfo text. */
function mountCount(mountinfo: string): number {
  return mountinfo.split('\n').filter((line) => line !== '').length;
}

/**
 * The number of mounts of the namespace that mountinfo does not list but fs.mount-max counts: the
 * mounts outside the reader's root, seen as parents that are not listed (here: the rootfs under
 * "/" when the process root is the filesystem mounted over it).
 */
function unlistedParents(mountinfo: string): number {
  const entries = parse(mountinfo);
  const listed = new Set(entries.map((e) => e.id));
  return new Set(entries.filter((e) => e.parentId !== e.id && !listed.has(e.parentId)).map((e) => e.parentId)).size;
}

const doublings = 16;
/** A tmpfs A whose tree doubles with every rbind of A onto A/x: 2^16 = 65536 mounts after 16. */
const doubling = ['mkdir A B', 'mount -t tmpfs a A', 'mkdir A/x', ...Array.from({ length: doublings }, () => 'mount --rbind A A/x')];

/** The path of the top of A's tree `depth` levels down A/x/x...: its tree holds 2^(16 - depth) mounts. */
const subtree = (depth: number): string => ['A', ...Array.from({ length: depth }, () => 'x')].join('/');

/**
 * After the doublings: rbinds of subtrees whose sizes are the binary digits of the room left, so
 * the namespace ends exactly full; then one mount too many. `room` is what fs.mount-max leaves.
 */
function exactFill(room: number): string {
  const lines = [...doubling];
  let left = room - 2 ** doublings;
  for (let bit = doublings - 1; bit >= 0; bit--) {
    if (left < 2 ** bit) continue;
    lines.push(`mkdir B/${bit}`, `mount --rbind ${subtree(doublings - bit)} B/${bit}`);
    left -= 2 ** bit;
  }
  lines.push('mkdir B/full', 'mount -t tmpfs one-too-many B/full');
  return script(...lines);
}

describe.skipIf(kernelUnavailable)(kernelSuite('fs.mount-max: ENOSPC on the kernel and the model'), () => {
  let headroom = 0;
  let responses: WorkerResponse[] = [];
  const scenarios: string[] = [];

  beforeAll(() => {
    // The kernel namespace's mounts before a scenario: the host's copy, the scratch, the scenario's tmpfs.
    const [empty] = runOnKernel([{ script: '' }]);
    const kernelBefore = mountCount(empty!.mountinfo) + unlistedParents(empty!.mountinfo);
    headroom = kernelBefore - modelNamespace().mountCount;
    const room = DEFAULT_MOUNT_MAX - kernelBefore;
    scenarios.push(
      script(...doubling, 'mount --rbind A A/x', 'mkdir A/x/y', 'mount -t tmpfs still-room A/x/y'),
      exactFill(room),
      script('mkdir P Q R S', 'mount -t tmpfs p P', 'mount --make-shared P', 'mount --bind P Q', 'mount --bind P R', 'mount --bind P S', 'mkdir P/x', ...Array.from({ length: 15 }, () => 'mount --rbind P P/x')),
      '',
    );
    responses = runOnKernel(scenarios.map((s) => ({ script: s })), { timeout: 600_000 });
    expect(mountCount(responses[3]!.mountinfo) + unlistedParents(responses[3]!.mountinfo), 'the kernel namespace changed size between runs').toBe(kernelBefore);
  }, 600_000);

  const onModel = (index: number) => runOnModel(scenarios[index]!, { mountMax: DEFAULT_MOUNT_MAX - headroom, checkEveryLine: false });

  it('is the 17th doubling of a 65536-mount tree refused with nothing created, leaving room for one more mount?', () => {
    const kernel = kernelOutcome(responses[0]!);
    expect(kernel.failures).toEqual([{ line: 3 + doublings + 1, code: 'ENOSPC' }]);
    const model = onModel(0);
    expectSameOutcome(kernel, model.outcome);
    expect(model.failures[0]!.reason).toMatch(/more than fs\.mount-max/);
  });

  it('does the namespace take mounts up to exactly fs.mount-max, and refuse the next?', () => {
    const kernel = kernelOutcome(responses[1]!);
    const lines = scenarios[1]!.split('\n');
    expect(kernel.failures).toEqual([{ line: lines.length, code: 'ENOSPC' }]);
    expect(mountCount(responses[1]!.mountinfo) + unlistedParents(responses[1]!.mountinfo)).toBe(DEFAULT_MOUNT_MAX);
    const model = onModel(1);
    expectSameOutcome(kernel, model.outcome);
    expect(model.ns.mountCount).toBe(model.ns.mountMax);
  });

  it('does propagation to peers count toward fs.mount-max, refusing the rbind whose copies overflow?', () => {
    const kernel = kernelOutcome(responses[2]!);
    expect(kernel.failures.map((f) => f.code)).toContain('ENOSPC');
    const model = onModel(2);
    expectSameOutcome(kernel, model.outcome);
    expect(model.failures[0]!.reason).toMatch(/copies for propagation/);
  });

  it('does a refused operation leave the model byte-identical, even at 100000 mounts?', () => {
    const model = onModel(1);
    const before = model.ns.mountinfo();
    expect(() => model.ns.mount('tmpfs', 'again', `${model.dir}/B/full`)).toThrow(expect.objectContaining({ code: 'ENOSPC', syscall: 'mount' }));
    expect(model.ns.mountinfo()).toBe(before);
  });
});
