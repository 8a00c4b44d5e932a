// Raw ids, which normalization hides: are mount ids and peer-group ids handed out smallest-free
// (the kernel's IDAs), so that a freed id is the next one used? The kernel's allocators are global,
// shared with every other process that mounts meanwhile, so a kernel run that another allocation
// interfered with is retried.
import { describe, expect, it } from 'vitest';
import { runOnKernel } from '../../src/scenario/worker-client.js';
import { parse } from '../../src/mountinfo/index.js';
import type { MountInfo } from '../../src/mountinfo/types.js';
import { kernelSuite, kernelUnavailable } from '../support/kernel.js';
import { script } from './support/agree.js';
import { runOnModel } from './support/differential.js';

/** The topmost entry at `dir/relative` in the raw mountinfo entries. */
function top(entries: MountInfo[], dir: string, relative: string): MountInfo {
  const found = entries.filter((e) => e.mountPoint === `${dir}/${relative}`).at(-1);
  if (!found) throw new Error(`no mount at ${relative}`);
  return found;
}

/** Runs `lines` on the kernel and the model; `property` reads raw entries (after line `at`, and at the end) and must hold on both. */
function holdsOnBoth(
  lines: string[],
  at: number,
  property: (before: MountInfo[], after: MountInfo[], dir: string) => boolean,
): { kernel: boolean; model: boolean } {
  const text = script(...lines);
  let kernel = false;
  for (let attempt = 0; attempt < 3 && !kernel; attempt++) {
    const [response] = runOnKernel([{ script: text, trace: true }]);
    expect(response!.failures).toEqual([]);
    const before = parse(response!.trace!.find((t) => t.line === at)!.mountinfo);
    kernel = property(before, parse(response!.mountinfo), response!.dir);
  }
  const run = runOnModel(script(...lines.slice(0, at)));
  const before = run.ns.entries();
  const model = runOnModel(text);
  return { kernel, model: property(before, model.ns.entries(), model.dir) };
}

describe.skipIf(kernelUnavailable)(kernelSuite('mount ids and peer-group ids on the kernel and the model'), () => {
  it('does a new peer group reuse the smallest freed group id?', () => {
    const lines = ['mkdir A B C D', 'mount -t tmpfs a A', 'mount -t tmpfs b B', 'mount -t tmpfs c C', 'mount -t tmpfs d D'];
    lines.push('mount --make-shared A', 'mount --make-shared B', 'mount --make-shared C', 'mount --make-private B', 'mount --make-shared D');
    const result = holdsOnBoth(lines, 8, (before, after, dir) => top(after, dir, 'D').shared === top(before, dir, 'B').shared);
    expect(result).toEqual({ kernel: true, model: true });
  });

  it('does a new mount reuse the smallest freed mount id?', () => {
    const lines = ['mkdir A B C D', 'mount -t tmpfs a A', 'mount -t tmpfs b B', 'mount -t tmpfs c C', 'umount B', 'mount -t tmpfs d D'];
    const result = holdsOnBoth(lines, 4, (before, after, dir) => top(after, dir, 'D').id === top(before, dir, 'B').id);
    expect(result).toEqual({ kernel: true, model: true });
  });

  it('does make-rshared number the groups of a tree depth first, children in the order they were mounted?', () => {
    const lines = ['mkdir R', 'mount -t tmpfs r R', 'mkdir R/b R/a', 'mount -t tmpfs b R/b', 'mount -t tmpfs a R/a', 'mkdir R/b/x', 'mount -t tmpfs x R/b/x', 'mount --make-rshared R'];
    const order = (entries: MountInfo[], dir: string) => {
      const groups = ['R', 'R/b', 'R/b/x', 'R/a'].map((p) => top(entries, dir, p).shared!);
      return groups.every((g, i) => i === 0 || g > groups[i - 1]!);
    };
    const result = holdsOnBoth(lines, lines.length, (_, after, dir) => order(after, dir));
    expect(result).toEqual({ kernel: true, model: true });
  });
});
