// The two sides of a differential run, laid out alike, without any test framework (the fuzz runs
// under tsx, the tests under vitest): the kernel worker runs a scenario in a fresh tmpfs on a
// directory of its scratch tmpfs; the model gets the same layout, a scratch tmpfs with the
// scenario's tmpfs in a directory of it. Either side's state is compared as the normalized
// mountinfo under the scenario's directory.
import { release } from 'node:os';
import type { WorkerResponse } from '../../src/scenario/worker-client.js';
import { normalize, parse, render } from '../../src/mountinfo/index.js';
import type { MountInfo } from '../../src/mountinfo/types.js';
import { ModelNamespace, type KernelVersion, type ModelNamespaceOptions } from '../../src/model/index.js';
import type { LineFailure } from '../../src/scenario/run.js';

/** The kernel worker's scratch tmpfs and the scenario directory in it, mirrored in the model. */
export const MODEL_SCRATCH = '/tmp/mount-set-group-model';
export const MODEL_DIR = `${MODEL_SCRATCH}/1`;

export interface Outcome {
  /** Normalized mountinfo of the scenario's directory (ids, groups and devices renumbered, paths relative). */
  mountinfo: string;
  /** The lines that failed, with their errno name. */
  failures: { line: number; code: string }[];
  /** The same failures with the backend's reason, when it named one. */
  reasons: (string | undefined)[];
}

/** The mountinfo of the scenario's directory `under`, normalized and rendered. */
export function normalizedUnder(entries: readonly MountInfo[], under: string): string {
  return render(normalize(entries, { under }));
}

/** A side's outcome: its mountinfo under the scenario's directory, and its failed lines. */
export function outcome(entries: readonly MountInfo[], under: string, failures: readonly LineFailure[]): Outcome {
  return {
    mountinfo: normalizedUnder(entries, under),
    failures: failures.map(({ line, code }) => ({ line, code })),
    reasons: failures.map((f) => f.reason),
  };
}

/** The outcome of a kernel worker's response. */
export function kernelOutcome(response: WorkerResponse): Outcome {
  return outcome(parse(response.mountinfo), response.dir, response.failures);
}

/** The model behaviour of a kernel release: 6.12's before the 6.16/6.17 rewrites, 6.18's from them on. */
export function kernelVersionOf(kernelRelease: string): KernelVersion {
  const [major = 0, minor = 0] = kernelRelease.split(/[.-]/).map(Number);
  return major < 6 || (major === 6 && minor < 17) ? '6.12' : '6.18';
}

/** The model behaviour of the kernel the tests run on (the host's, or the VM's). */
export const runningKernelVersion: KernelVersion = kernelVersionOf(release());

/** A model namespace laid out as the kernel worker lays out its namespace, following the running kernel unless told otherwise. */
export function modelNamespace(options: ModelNamespaceOptions = {}): ModelNamespace {
  const ns = new ModelNamespace({ kernel: runningKernelVersion, ...options });
  ns.mkdir(MODEL_SCRATCH, { recursive: true });
  ns.mount('tmpfs', 'scratch', MODEL_SCRATCH, { data: 'mode=755' });
  ns.mkdir(MODEL_DIR);
  ns.mount('tmpfs', 'scenario', MODEL_DIR);
  return ns;
}
