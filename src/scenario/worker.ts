// The kernel worker: runs scenarios on the real kernel, in the private mount namespace it was
// started in (src/process/child.ts). Reads one JSON request per line on stdin and answers each
// with one JSON line on stdout. Every scenario gets a fresh tmpfs of its own, detached afterwards,
// so one child serves many scenarios.
import { mkdirSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import * as sys from '../native/syscalls.js';
import { runScenario } from './run.js';
import type { LineFailure } from './run.js';
import type { SetGroupMethod } from '../set-group/set-group.js';
import { KernelNamespace } from '../kernel/namespace.js';
import { withScratch } from '../process/scratch.js';

export interface WorkerRequest {
  script: string;
  setGroupMethod?: SetGroupMethod;
  /** Also return the mountinfo after every line. */
  trace?: boolean;
}

export interface WorkerResponse {
  /** The scenario's directory: a tmpfs mount root, its working directory and confinement. */
  dir: string;
  failures: LineFailure[];
  /** /proc/self/mountinfo when the scenario ended. */
  mountinfo: string;
  /** With `trace`: each line that ran, its error code if it failed, and the mountinfo after it. */
  trace?: { line: number; code?: string; mountinfo: string }[];
  /** A failure of the worker itself, not of a line. */
  error?: string;
}

/** One scenario in a fresh tmpfs at `dir`, unmounted and removed when it ends. */
function runOne(request: WorkerRequest, dir: string): WorkerResponse {
  mkdirSync(dir);
  sys.mount('scenario', dir, 'tmpfs', 0, null);
  try {
    const ns = new KernelNamespace({ setGroupMethod: request.setGroupMethod ?? 'auto' });
    const trace: NonNullable<WorkerResponse['trace']> = [];
    const afterLine = (line: number, failure: LineFailure | undefined) => {
      trace.push({ line, ...(failure ? { code: failure.code } : {}), mountinfo: ns.mountinfo() });
    };
    const { failures } = runScenario(ns, request.script, { cwd: dir, confineTo: dir, ...(request.trace ? { afterLine } : {}) });
    return { dir, failures, mountinfo: ns.mountinfo(), ...(request.trace ? { trace } : {}) };
  } finally {
    sys.umount2(dir, sys.addon().constants.MNT_DETACH);
    rmdirSync(dir);
  }
}

async function serve(scratch: string): Promise<void> {
  let count = 0;
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    if (line.trim() === '') continue;
    let response: WorkerResponse;
    const dir = join(scratch, String(++count));
    try {
      response = runOne(JSON.parse(line) as WorkerRequest, dir);
    } catch (error) {
      response = { dir, failures: [], mountinfo: '', error: error instanceof Error ? error.stack ?? error.message : String(error) };
    }
    process.stdout.write(`${JSON.stringify(response)}\n`);
  }
}

await withScratch(serve);
