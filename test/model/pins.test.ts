// Pins (MountNamespace.pin/unpin: O_PATH fds on the kernel) on both backends: a pinned mount or
// copy is busy for umount, a pin keeps reaching a mount after it is covered or unmounted, and
// set-group through a pin can rebuild a topology that paths alone cannot (see seed.test.ts).
import { beforeAll, describe, expect, it } from 'vitest';
import { normalize, parse, render } from '../../src/mountinfo/index.js';
import { assertInvariants } from '../../src/model/index.js';
import { MODEL_DIR } from '../differential/sides.js';
import { itKeepsRecordCurrent, kernelAnswers, kernelAnswersSuite, kernelAnswersUnavailable } from '../support/kernel-answers.js';
import { runChild } from '../support/kernel.js';
import { expectSameOutcome, modelNamespace, runOnModel } from './support/differential.js';
import { pinScenarios, runPinScenario } from './support/pin-scenarios.js';

/** What the kernel did with one pin scenario: each step's result, and the normalized mountinfo of its directory. */
interface KernelRun {
  name: string;
  results: string[];
  mountinfo: string;
}

/** The child's runs, with each scenario's mountinfo normalized under its own directory. */
function runOnKernel(): KernelRun[] {
  const runs = runChild<(KernelRun & { dir: string })[]>(new URL('./children/pins.ts', import.meta.url));
  return runs.map(({ name, results, mountinfo, dir }) => ({ name, results, mountinfo: render(normalize(parse(mountinfo), { under: dir })) }));
}

describe.skipIf(kernelAnswersUnavailable('pins'))(kernelAnswersSuite('pins on the kernel and the model', 'pins'), () => {
  let kernel: KernelRun[] = [];
  beforeAll(() => {
    kernel = kernelAnswers('pins', runOnKernel);
  });

  itKeepsRecordCurrent('pins', () => kernel);

  const expectedResults: Record<string, string[]> = {
    'does set-group look both paths up before its rules (a pin of a detached source and a missing target: ENOENT, not EINVAL)?': ['ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ENOENT', 'EINVAL', 'ok'],
    'is a pinned mount busy for umount, and free to go once unpinned?': ['ok', 'ok', 'ok', 'EBUSY', 'ok', 'ok'],
    'does a pin on a propagated copy make the umount of its original busy, but not a lazy one?': ['ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'EBUSY', 'ok', 'EINVAL', 'EINVAL', 'ok'],
    'does a bind remount through a pin change the covered mount it holds, and not the mount covering it?': ['ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok'],
    'is a bind remount through a pin of a mount since detached EINVAL (not mounted)?': ['ok', 'ok', 'ok', 'ok', 'EINVAL', 'ok'],
  };

  Object.entries(pinScenarios).forEach(([name, steps], i) => {
    it(name, () => {
      const onKernel = kernel[i]!;
      expect(onKernel.name).toBe(name);
      if (expectedResults[name]) expect(onKernel.results).toEqual(expectedResults[name]);
      const ns = modelNamespace();
      const results = runPinScenario(ns, MODEL_DIR, steps);
      assertInvariants(ns);
      expect(results, 'step results').toEqual(onKernel.results);
      expect(render(normalize(ns.entries(), { under: MODEL_DIR }))).toBe(onKernel.mountinfo);
    });
  });

  it('does set-group through a pin rebuild exactly the seed topology?', () => {
    const i = Object.keys(pinScenarios).indexOf('does a pin reach a mount another covers, so that set-group rebuilds the seed topology?');
    const onKernel = kernel[i]!;
    expect(onKernel.results.every((r) => r === 'ok')).toBe(true);
    const seed = runOnModel(
      'mkdir A B E\nmount -t tmpfs a A\nmount --make-shared A\nmount --bind A E\nmount --bind A B\nmkdir A/C\nmount -t tmpfs c A/C\nmount -t tmpfs c2 E/C\nmount --make-private B/C\nmkdir B/C/D\nmount -t tmpfs d B/C/D\numount -l E/C\numount -l B/C/D\nmount --make-rprivate E\numount -l E',
    );
    expectSameOutcome(
      { mountinfo: onKernel.mountinfo, failures: [], reasons: [] },
      seed.outcome,
    );
  });
});
