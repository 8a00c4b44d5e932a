// The kernel worker: runs scenarios on the real kernel, in the private mount namespace it was
// started in (src/process/child.ts). Reads one JSON request per line on stdin and answers each
// with one JSON line on stdout. Every scenario gets a fresh tmpfs of its own, which is the worker's
// working directory while it runs (so /proc/PID/cwd of the worker names it, as the scenario's
// `host`), detached afterwards, so one child serves many scenarios. Its unshare and nsenter lines
// run in child processes of the worker (kernel-system.ts), all ended when the scenario ends.
import { mkdirSync, readlinkSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import * as sys from '../native/syscalls.js';
import { runScenario, type LineFailure, type NamedNamespace } from './run.js';
import type { SetGroupMethod } from '../set-group/set-group.js';
import { withScratch } from '../process/scratch.js';
import { KernelSystem } from './kernel-system.js';

export interface WorkerRequest {
  script: string;
  setGroupMethod?: SetGroupMethod;
  /** Also return the mountinfo after every line. */
  trace?: boolean;
}

/** A namespace's mountinfo, by the name the scenario gave its process (`host` for the worker's own). */
export interface NamespaceMountinfo {
  name: string;
  mountinfo: string;
}

export interface WorkerResponse {
  /** The scenario's directory: a tmpfs mount root, its working directory and confinement. */
  dir: string;
  failures: LineFailure[];
  /** /proc/self/mountinfo when the scenario ended. */
  mountinfo: string;
  /** When the scenario started namespaces: the mountinfo of each still held, `host` first, in the order they started. */
  namespaces?: NamespaceMountinfo[];
  /** With `trace`: each line that ran, its error code if it failed, and the mountinfo after it (and of each namespace held then). */
  trace?: { line: number; code?: string; mountinfo: string; namespaces?: NamespaceMountinfo[] }[];
  /** A failure of the worker itself, not of a line. */
  error?: string;
}

/** The mountinfo of each namespace, when there is more than the host's. */
function namespacesOf(namespaces: readonly NamedNamespace[]): { namespaces?: NamespaceMountinfo[] } {
  if (namespaces.length <= 1) return {};
  return { namespaces: namespaces.map(({ name, mountinfo }) => ({ name, mountinfo: mountinfo() })) };
}

/** One scenario in a fresh tmpfs at `dir`, unmounted and removed when it ends. */
function runOne(request: WorkerRequest, scratch: string, dir: string, forbidden: string): WorkerResponse {
  mkdirSync(dir);
  sys.mount('scenario', dir, 'tmpfs', 0, null);
  process.chdir(dir);
  const system = new KernelSystem({ dir: scratch, setGroupMethod: request.setGroupMethod ?? 'auto', forbidden });
  try {
    const trace: NonNullable<WorkerResponse['trace']> = [];
    const afterLine = (line: number, failure: LineFailure | undefined, namespaces: readonly NamedNamespace[]) => {
      trace.push({ line, ...(failure ? { code: failure.code } : {}), mountinfo: system.init.mountinfo(), ...namespacesOf(namespaces) });
    };
    const { failures, namespaces } = runScenario(system, request.script, { cwd: dir, confineTo: dir, ...(request.trace ? { afterLine } : {}) });
    return { dir, failures, mountinfo: system.init.mountinfo(), ...namespacesOf(namespaces), ...(request.trace ? { trace } : {}) };
  } finally {
    system.close();
    process.chdir(scratch);
    sys.umount2(dir, sys.addon().constants.MNT_DETACH);
    rmdirSync(dir);
  }
}

async function serve(scratch: string): Promise<void> {
  const forbidden = readlinkSync(`/proc/${process.ppid}/ns/mnt`);
  let count = 0;
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    if (line.trim() === '') continue;
    let response: WorkerResponse;
    const dir = join(scratch, String(++count));
    try {
      response = runOne(JSON.parse(line) as WorkerRequest, scratch, dir, forbidden);
    } catch (error) {
      response = { dir, failures: [], mountinfo: '', error: error instanceof Error ? error.stack ?? error.message : String(error) };
    }
    process.stdout.write(`${JSON.stringify(response)}\n`);
  }
}

await withScratch(serve);
