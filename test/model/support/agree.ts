// `agrees(question, script)`: a test, named after the question it answers, that runs the scenario
// on the kernel and on the model and expects the same outcome. The scenario's refusals are part of
// what it states: every line must succeed on the kernel except those listed in `fails`, so a typo
// that makes both backends fail alike cannot pass for agreement.
import { beforeAll, expect, it } from 'vitest';
import { itKeepsRecordCurrent } from '../../support/kernel-answers.js';
import { expectSameOutcome, KernelBatch, runOnModel, type ModelRun, type ModelRunOptions, type Outcome } from './differential.js';

export interface AgreeOptions {
  /** Lines (1-based, counting every line of the script) expected to fail on the kernel, with their errno. */
  fails?: Record<number, string>;
  /** Options for the model run. */
  model?: ModelRunOptions;
  /** More checks, given both outcomes and the model run. */
  also?: (kernel: Outcome, model: ModelRun) => void;
}

/** What agrees() registered: the kernel's outcome of its scenario, for tests that compare scenarios. */
export interface Agreement {
  kernel(): Outcome;
}

/**
 * A batch of agreement tests for one suite: call inside describe(); it gets the kernel's answers in
 * beforeAll (live, or recorded under the name `suite`) and checks the suite's record against a live kernel.
 */
export function agreementSuite(suite: string): (question: string, script: string, options?: AgreeOptions) => Agreement {
  const kernel = new KernelBatch(suite);
  beforeAll(() => kernel.run());
  itKeepsRecordCurrent(suite, () => kernel.recorded());
  return (question, script, options = {}) => {
    const index = kernel.add(script);
    it(question, () => {
      const expected = kernel.outcome(index);
      const declared = Object.entries(options.fails ?? {}).map(([line, code]) => ({ line: Number(line), code }));
      expect(expected.failures, 'the lines that fail on the kernel').toEqual(declared);
      const model = runOnModel(script, options.model);
      expectSameOutcome(expected, model.outcome);
      options.also?.(expected, model);
    });
    return { kernel: () => kernel.outcome(index) };
  };
}

/** Lines of a scenario joined, so a test can list them one per argument. */
export function script(...lines: string[]): string {
  return lines.join('\n');
}
