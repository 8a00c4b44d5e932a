// The two sides of a differential run, laid out alike, without any test framework (the fuzz runs
// under tsx, the tests under vitest): the kernel worker runs a scenario in a fresh tmpfs on a
// directory of its scratch tmpfs, which is its working directory; the model gets the same layout, a
// scratch tmpfs with the scenario's tmpfs in a directory of it, its first process working there.
// Either side's state is compared as the normalized mountinfo under the scenario's directory of
// every namespace the scenario holds, `host` first, all in one numbering (normalizeTogether()).
import { release } from 'node:os';
import type { NamespaceMountinfo, WorkerResponse } from '../../src/scenario/worker-client.js';
import { normalizeTogether, parse, render } from '../../src/mountinfo/index.js';
import type { MountInfo } from '../../src/mountinfo/types.js';
import { ModelSystem, type KernelVersion, type ModelNamespace, type ModelNamespaceOptions } from '../../src/model/index.js';
import type { LineFailure, NamedNamespace } from '../../src/scenario/run.js';

/** The kernel worker's scratch tmpfs and the scenario directory in it, mirrored in the model. */
export const MODEL_SCRATCH = '/tmp/mount-set-group-model';
export const MODEL_DIR = `${MODEL_SCRATCH}/1`;

export interface Outcome {
  /**
   * Normalized mountinfo of the scenario's directory (ids, groups and devices renumbered, paths
   * relative) in the host namespace, then in each other namespace held, after a line `# NAME`.
   */
  mountinfo: string;
  /** The lines that failed, with their errno name. */
  failures: { line: number; code: string }[];
  /** The same failures with the backend's reason, when it named one. */
  reasons: (string | undefined)[];
}

/** A namespace's mountinfo entries, by the name of the process that holds it. */
export interface NamedEntries {
  name: string;
  entries: readonly MountInfo[];
}

/**
 * The mountinfo of the scenario's directory `under` in each namespace, normalized together and
 * rendered: the first (host) namespace's lines as they are, each other's after a line `# NAME`.
 */
export function normalizedUnder(namespaces: readonly NamedEntries[], under: string): string {
  const tables = normalizeTogether(namespaces.map(({ entries }) => entries), { under });
  return tables.map((table, i) => (i === 0 ? '' : `# ${namespaces[i]!.name}\n`) + render(table)).join('');
}

/** The namespaces of a kernel response (or trace step): each held one, or the host's alone. */
export function kernelNamespaces(state: { mountinfo: string; namespaces?: NamespaceMountinfo[] }): NamedEntries[] {
  return (state.namespaces ?? [{ name: 'host', mountinfo: state.mountinfo }]).map(({ name, mountinfo }) => ({ name, entries: parse(mountinfo) }));
}

/** The namespaces a model run holds, read now. */
export function modelNamespaces(namespaces: readonly NamedNamespace[]): NamedEntries[] {
  return namespaces.map(({ name, mountinfo }) => ({ name, entries: parse(mountinfo()) }));
}

/** A side's outcome: the mountinfo of every namespace under the scenario's directory, and its failed lines. */
export function outcome(namespaces: readonly NamedEntries[], under: string, failures: readonly LineFailure[]): Outcome {
  return {
    mountinfo: normalizedUnder(namespaces, under),
    failures: failures.map(({ line, code }) => ({ line, code })),
    reasons: failures.map((f) => f.reason),
  };
}

/** The outcome of a kernel worker's response. */
export function kernelOutcome(response: WorkerResponse): Outcome {
  return outcome(kernelNamespaces(response), response.dir, response.failures);
}

/** The model behaviour of a kernel release: 6.12's before the 6.16/6.17 rewrites, 6.18's from them on. */
export function kernelVersionOf(kernelRelease: string): KernelVersion {
  const [major = 0, minor = 0] = kernelRelease.split(/[.-]/).map(Number);
  return major < 6 || (major === 6 && minor < 17) ? '6.12' : '6.18';
}

/** The model behaviour of the kernel the tests run on (the host's, or the VM's). */
export const runningKernelVersion: KernelVersion = kernelVersionOf(release());

/**
 * A model laid out as the kernel worker lays out its namespace, following the running kernel unless
 * told otherwise: its first process (the worker's counterpart) works in the scenario's directory.
 */
export function modelSystem(options: ModelNamespaceOptions = {}): ModelSystem {
  const system = new ModelSystem({ kernel: runningKernelVersion, ...options });
  const ns = system.init;
  ns.mkdir(MODEL_SCRATCH, { recursive: true });
  ns.mount('tmpfs', 'scratch', MODEL_SCRATCH, { data: 'mode=755' });
  ns.mkdir(MODEL_DIR);
  ns.mount('tmpfs', 'scenario', MODEL_DIR);
  ns.chdir(MODEL_DIR);
  return system;
}

/** The first process of modelSystem(): the model namespace of the worker's. */
export function modelNamespace(options: ModelNamespaceOptions = {}): ModelNamespace {
  return modelSystem(options).init;
}
