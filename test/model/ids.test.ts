// Raw ids, which normalization hides: are mount ids and peer-group ids handed out smallest-free
// (the kernel's IDAs), so that a freed id is the next one used? The kernel's allocators are global,
// shared with every other process that mounts meanwhile, so a kernel run that another allocation
// interfered with is retried.
import { beforeAll, describe, expect, it } from 'vitest';
import { runOnKernel } from '../../src/scenario/worker-client.js';
import { parse } from '../../src/mountinfo/index.js';
import type { MountInfo } from '../../src/mountinfo/types.js';
import { itKeepsRecordCurrent, kernelAnswers, kernelAnswersSuite, kernelAnswersUnavailable } from '../support/kernel-answers.js';
import { script } from './support/agree.js';
import { runOnModel } from './support/differential.js';

/** The topmost entry at `dir/relative` in the raw mountinfo entries. */
function top(entries: MountInfo[], dir: string, relative: string): MountInfo {
  const found = entries.filter((e) => e.mountPoint === `${dir}/${relative}`).at(-1);
  if (!found) throw new Error(`no mount at ${relative}`);
  return found;
}

/** A question about raw ids: its scenario, the line after which `before` is read, and what must hold between `before` and the end. */
interface IdQuestion {
  lines: string[];
  at: number;
  property: (before: MountInfo[], after: MountInfo[], dir: string) => boolean;
}

const questions: Record<string, IdQuestion> = {
  'does a new peer group reuse the smallest freed group id?': {
    lines: ['mkdir A B C D', 'mount -t tmpfs a A', 'mount -t tmpfs b B', 'mount -t tmpfs c C', 'mount -t tmpfs d D', 'mount --make-shared A', 'mount --make-shared B', 'mount --make-shared C', 'mount --make-private B', 'mount --make-shared D'],
    at: 8,
    property: (before, after, dir) => top(after, dir, 'D').shared === top(before, dir, 'B').shared,
  },
  'does a new mount reuse the smallest freed mount id?': {
    lines: ['mkdir A B C D', 'mount -t tmpfs a A', 'mount -t tmpfs b B', 'mount -t tmpfs c C', 'umount B', 'mount -t tmpfs d D'],
    at: 4,
    property: (before, after, dir) => top(after, dir, 'D').id === top(before, dir, 'B').id,
  },
  'does make-rshared number the groups of a tree depth first, children in the order they were mounted?': {
    lines: ['mkdir R', 'mount -t tmpfs r R', 'mkdir R/b R/a', 'mount -t tmpfs b R/b', 'mount -t tmpfs a R/a', 'mkdir R/b/x', 'mount -t tmpfs x R/b/x', 'mount --make-rshared R'],
    at: 8,
    property: (_, after, dir) => {
      const groups = ['R', 'R/b', 'R/b/x', 'R/a'].map((p) => top(after, dir, p).shared!);
      return groups.every((g, i) => i === 0 || g > groups[i - 1]!);
    },
  },
};

/** Whether the question's property holds on the kernel (retried: another allocation may interfere). */
function holdsOnKernel({ lines, at, property }: IdQuestion): boolean {
  for (let attempt = 0; attempt < 3; attempt++) {
    const [response] = runOnKernel([{ script: script(...lines), trace: true }]);
    if (response!.failures.length > 0) throw new Error(`ids: lines failed on the kernel: ${JSON.stringify(response!.failures)}`);
    const before = parse(response!.trace!.find((t) => t.line === at)!.mountinfo);
    if (property(before, parse(response!.mountinfo), response!.dir)) return true;
  }
  return false;
}

/** Whether the question's property holds on the model. */
function holdsOnModel({ lines, at, property }: IdQuestion): boolean {
  const before = runOnModel(script(...lines.slice(0, at))).ns.entries();
  const model = runOnModel(script(...lines));
  return property(before, model.ns.entries(), model.dir);
}

describe.skipIf(kernelAnswersUnavailable('ids'))(kernelAnswersSuite('mount ids and peer-group ids on the kernel and the model', 'ids'), () => {
  let kernel: Record<string, boolean> = {};
  beforeAll(() => {
    kernel = kernelAnswers('ids', () => Object.fromEntries(Object.entries(questions).map(([question, q]) => [question, holdsOnKernel(q)])));
  });
  itKeepsRecordCurrent('ids', () => kernel);

  for (const [question, q] of Object.entries(questions)) {
    it(question, () => {
      expect({ kernel: kernel[question], model: holdsOnModel(q) }).toEqual({ kernel: true, model: true });
    });
  }
});
