// Detached trees across mount namespaces (MountNamespace.cloneDetached and attachAt: open_tree(2)
// OPEN_TREE_CLONE in one process, move_mount(2) of /proc/PID/fd/N in another) on both backends:
// how a restore hands one superblock to several new namespaces. What the copy is (a peer of a
// shared source), that it arrives unlocked in a namespace of another user namespace, propagates
// when attached on a shared mount, goes with its handle, and what is refused.
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from '../../src/mountinfo/index.js';
import { assertInvariants } from '../../src/model/index.js';
import { MODEL_DIR, modelSystem, normalizedUnder } from '../differential/sides.js';
import { itKeepsRecordCurrent, kernelAnswers, kernelAnswersSuite, kernelAnswersUnavailable } from '../support/kernel-answers.js';
import { runChild } from '../support/kernel.js';
import { detachedScenarios, runDetachedScenario } from './support/detached-scenarios.js';

interface KernelRun {
  name: string;
  results: string[];
  mountinfo: string;
}

describe.skipIf(kernelAnswersUnavailable('detached'))(kernelAnswersSuite('detached trees across namespaces on the kernel and the model', 'detached'), () => {
  let kernel: KernelRun[] = [];
  beforeAll(() => {
    kernel = kernelAnswers('detached', () => runChild<KernelRun[]>(new URL('./children/detached.ts', import.meta.url)));
  });

  itKeepsRecordCurrent('detached', () => kernel);

  const expectedResults: Record<string, string[]> = {
    'does a copy attached in a namespace of another user namespace arrive unlocked, unlike what that namespace copied?': ['ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'EINVAL', 'ok'],
    'is a copy of another namespace\'s mount refused (EINVAL), an fd not open ENOENT, and an attached mount of another namespace not attachable (EINVAL)?': ['ok', 'ok', 'ok', 'ok', 'EINVAL', 'ENOENT', 'ok', 'EINVAL', 'ok'],
    'does a detached copy go with its handle when it was never attached?': ['ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ENOENT'],
  };

  Object.entries(detachedScenarios).forEach(([name, steps], i) => {
    it(name, () => {
      const onKernel = kernel[i]!;
      expect(onKernel.name).toBe(name);
      if (expectedResults[name]) expect(onKernel.results).toEqual(expectedResults[name]);
      const system = modelSystem();
      const { results, namespaces } = runDetachedScenario(system, MODEL_DIR, steps);
      assertInvariants(system);
      expect(results, 'step results').toEqual(onKernel.results);
      expect(normalizedUnder(namespaces.map(({ name: held, process }) => ({ name: held, entries: parse(process.mountinfo()) })), MODEL_DIR)).toBe(onKernel.mountinfo);
    });
  });
});
