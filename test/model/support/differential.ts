// The same scenario text on both backends: the real kernel (through the kernel worker, in a child
// with its own private mount namespace, on a fresh tmpfs) and the model (laid out the same way:
// a scratch tmpfs, the scenario's tmpfs in a directory of it). Each side ends as an Outcome: its
// mountinfo under the scenario's directory, normalized, and the lines that failed with their errno.
import { expect } from 'vitest';
import { runOnKernel, type WorkerRequest, type WorkerResponse } from '../../../src/kernel/worker-client.js';
import { diffMountinfo, normalize, parse, render } from '../../../src/mountinfo/index.js';
import type { MountInfo } from '../../../src/mountinfo/types.js';
import { assertInvariants, ModelNamespace, type ModelNamespaceOptions } from '../../../src/model/index.js';
import { runScenario, type LineFailure } from '../../../src/scenario/run.js';

export interface Outcome {
  /** Normalized mountinfo of the scenario's directory (ids, groups and devices renumbered, paths relative). */
  mountinfo: string;
  /** The lines that failed, with their errno name. */
  failures: { line: number; code: string }[];
  /** The same failures with the backend's reason, when it named one. */
  reasons: (string | undefined)[];
}

/** The kernel worker's scratch tmpfs and the scenario directory in it, mirrored in the model. */
const MODEL_SCRATCH = '/tmp/mount-set-group-model';
const MODEL_DIR = `${MODEL_SCRATCH}/1`;

function outcome(entries: readonly MountInfo[], under: string, failures: readonly LineFailure[]): Outcome {
  return {
    mountinfo: render(normalize(entries, { under })),
    failures: failures.map(({ line, code }) => ({ line, code })),
    reasons: failures.map((f) => f.reason),
  };
}

/** The outcome of a kernel worker's response. */
export function kernelOutcome(response: WorkerResponse): Outcome {
  return outcome(parse(response.mountinfo), response.dir, response.failures);
}

export interface ModelRun {
  ns: ModelNamespace;
  /** The scenario's directory in the model. */
  dir: string;
  outcome: Outcome;
  failures: LineFailure[];
}

export interface ModelRunOptions extends ModelNamespaceOptions {
  /**
   * After every line: the invariants hold, and a line that failed left the rendered mountinfo
   * byte-identical (default true; large scenarios turn it off for speed).
   */
  checkEveryLine?: boolean;
  /** Called with the namespace once its scratch and scenario directory exist, before the script. */
  beforeScript?: (ns: ModelNamespace) => void;
}

/** A model namespace laid out as the kernel worker lays out its namespace. */
export function modelNamespace(options: ModelNamespaceOptions = {}): ModelNamespace {
  const ns = new ModelNamespace(options);
  ns.mkdir(MODEL_SCRATCH, { recursive: true });
  ns.mount('tmpfs', 'scratch', MODEL_SCRATCH, { data: 'mode=755' });
  ns.mkdir(MODEL_DIR);
  ns.mount('tmpfs', 'scenario', MODEL_DIR);
  return ns;
}

/** Runs `script` on a fresh model, checking invariants and refusals line by line. */
export function runOnModel(script: string, options: ModelRunOptions = {}): ModelRun {
  const { checkEveryLine = true, beforeScript, ...modelOptions } = options;
  const ns = modelNamespace(modelOptions);
  beforeScript?.(ns);
  let before = checkEveryLine ? ns.mountinfo() : '';
  const afterLine = (line: number, failure: LineFailure | undefined): void => {
    assertInvariants(ns);
    const after = ns.mountinfo();
    if (failure) expect(after, `line ${line} failed (${failure.code}) but changed the model`).toBe(before);
    before = after;
  };
  const { failures } = runScenario(ns, script, { cwd: MODEL_DIR, confineTo: MODEL_DIR, ...(checkEveryLine ? { afterLine } : {}) });
  assertInvariants(ns);
  return { ns, dir: MODEL_DIR, outcome: outcome(ns.entries(), MODEL_DIR, failures), failures };
}

/** Expects the model's outcome to be the kernel's: the same failures, the same normalized mountinfo. */
export function expectSameOutcome(kernel: Outcome, model: Outcome): void {
  expect(model.failures, 'failed lines and their errno').toEqual(kernel.failures);
  const difference = diffMountinfo(kernel.mountinfo, model.mountinfo);
  expect(difference, `model mountinfo (actual) against the kernel's (expected)`).toBeUndefined();
}

/**
 * Scenarios registered while a test file is collected and run on the kernel in one worker before
 * its tests (one child, one private namespace, a fresh tmpfs per scenario).
 */
export class KernelBatch {
  readonly #requests: WorkerRequest[] = [];
  #responses: WorkerResponse[] | undefined;

  /** Registers a scenario; returns its index. */
  add(script: string, options: Omit<WorkerRequest, 'script'> = {}): number {
    return this.#requests.push({ script, ...options }) - 1;
  }

  /** Runs every registered scenario (call from beforeAll). */
  run(): void {
    this.#responses = runOnKernel(this.#requests, { timeout: 600_000 });
  }

  /** The worker's response for scenario `index`. */
  response(index: number): WorkerResponse {
    const response = this.#responses?.[index];
    if (response === undefined) throw new Error(`kernel batch: no response for scenario ${index} (did beforeAll run?)`);
    return response;
  }

  /** The kernel's outcome for scenario `index`. */
  outcome(index: number): Outcome {
    return kernelOutcome(this.response(index));
  }
}
