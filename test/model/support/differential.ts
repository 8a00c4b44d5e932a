// The same scenario text on both backends: the real kernel (through the kernel worker, in a child
// with its own private mount namespace, on a fresh tmpfs) and the model (laid out the same way:
// a scratch tmpfs, the scenario's tmpfs in a directory of it). Each side ends as an Outcome: its
// mountinfo under the scenario's directory, normalized, and the lines that failed with their errno.
import { expect } from 'vitest';
import { runOnKernel, type WorkerRequest } from '../../../src/scenario/worker-client.js';
import { diffMountinfo } from '../../../src/mountinfo/index.js';
import { assertInvariants, type ModelNamespace, type ModelNamespaceOptions, type ModelSystem } from '../../../src/model/index.js';
import { runScenario, type LineFailure, type NamedNamespace } from '../../../src/scenario/run.js';
import { kernelOutcome, MODEL_DIR, modelNamespaces, modelSystem, outcome, type Outcome } from '../../differential/sides.js';
import { kernelAnswers } from '../../support/kernel-answers.js';

export { kernelOutcome, modelNamespace, type Outcome } from '../../differential/sides.js';

export interface ModelRun {
  /** The model's first process (the kernel worker's counterpart). */
  ns: ModelNamespace;
  system: ModelSystem;
  /** The scenario's directory in the model. */
  dir: string;
  outcome: Outcome;
  failures: LineFailure[];
}

export interface ModelRunOptions extends ModelNamespaceOptions {
  /**
   * After every line: the invariants hold, and a line that failed left the rendered mountinfo of
   * every namespace byte-identical (default true; large scenarios turn it off for speed).
   */
  checkEveryLine?: boolean;
  /** Called with the namespace once its scratch and scenario directory exist, before the script. */
  beforeScript?: (ns: ModelNamespace) => void;
}

/** Every namespace's rendered mountinfo, `host` first. */
function everyMountinfo(namespaces: readonly NamedNamespace[]): string {
  return namespaces.map(({ name, mountinfo }) => `# ${name}\n${mountinfo()}`).join('');
}

/** Runs `script` on a fresh model, checking invariants and refusals line by line. */
export function runOnModel(script: string, options: ModelRunOptions = {}): ModelRun {
  const { checkEveryLine = true, beforeScript, ...modelOptions } = options;
  const system = modelSystem(modelOptions);
  const ns = system.init;
  beforeScript?.(ns);
  let before = checkEveryLine ? everyMountinfo([{ name: 'host', mountinfo: () => ns.mountinfo() }]) : '';
  const afterLine = (line: number, failure: LineFailure | undefined, namespaces: readonly NamedNamespace[]): void => {
    assertInvariants(system);
    const after = everyMountinfo(namespaces);
    if (failure) expect(after, `line ${line} failed (${failure.code}) but changed the model`).toBe(before);
    before = after;
  };
  const { failures, namespaces } = runScenario(system, script, { cwd: MODEL_DIR, confineTo: MODEL_DIR, ...(checkEveryLine ? { afterLine } : {}) });
  assertInvariants(system);
  return { ns, system, dir: MODEL_DIR, outcome: outcome(modelNamespaces(namespaces), MODEL_DIR, failures), failures };
}

/** Expects the model's outcome to be the kernel's: the same failures, the same normalized mountinfo. */
export function expectSameOutcome(kernel: Outcome, model: Outcome): void {
  expect(model.failures, 'failed lines and their errno').toEqual(kernel.failures);
  const difference = diffMountinfo(kernel.mountinfo, model.mountinfo);
  expect(difference, `model mountinfo (actual) against the kernel's (expected)`).toBeUndefined();
}

/**
 * Outcomes as a record keeps them: the kernel's own answers (normalized mountinfo, failed lines),
 * without the reasons, which are this package's diagnosis on a live system (with its device
 * numbers and group ids), not the kernel's answer.
 */
function recordedOutcomes(outcomes: Record<string, Outcome>): Record<string, Outcome> {
  return Object.fromEntries(Object.entries(outcomes).map(([key, outcome]) => [key, { ...outcome, reasons: [] }]));
}

/**
 * Scenarios registered while a test file is collected, answered by the kernel before its tests: run
 * in one worker (one child, one private namespace, a fresh tmpfs per scenario), or recalled from the
 * suite's record where no kernel can run (test/support/kernel-answers.ts).
 */
export class KernelBatch {
  readonly #requests: WorkerRequest[] = [];
  #outcomes: Record<string, Outcome> | undefined;

  constructor(readonly suite: string) {}

  /** Registers a scenario; returns its index. */
  add(script: string, options: Omit<WorkerRequest, 'script'> = {}): number {
    return this.#requests.push({ script, ...options }) - 1;
  }

  /** Answers every registered scenario (call from beforeAll). */
  run(): void {
    this.#outcomes = kernelAnswers(
      this.suite,
      () => {
        const responses = runOnKernel(this.#requests, { timeout: 600_000 });
        return Object.fromEntries(this.#requests.map((request, i) => [requestKey(request), kernelOutcome(responses[i]!)]));
      },
      recordedOutcomes,
    );
  }

  /** The kernel's outcome for scenario `index`. */
  outcome(index: number): Outcome {
    const outcome = this.#outcomes?.[requestKey(this.#requests[index]!)];
    if (outcome === undefined) throw new Error(`kernel batch ${this.suite}: no answer for scenario ${index} (did beforeAll run? is the record current?)`);
    return outcome;
  }

  /** Every outcome as a record keeps it, for checking the suite's record against the live kernel. */
  recorded(): Record<string, Outcome> {
    return recordedOutcomes(this.#outcomes ?? {});
  }
}

/** How a scenario is keyed in a record: its script, and its options when it has any. */
function requestKey(request: WorkerRequest): string {
  const { script, ...options } = request;
  return Object.keys(options).length === 0 ? script : `${script}\n# ${JSON.stringify(options)}`;
}
