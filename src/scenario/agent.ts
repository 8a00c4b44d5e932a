// The namespace agent: a child of the kernel worker, started by nsenter(1) inside the namespaces a
// scenario's nsenter line entered, or a restore builds in (kernel-system.ts), that makes the
// MountNamespace calls asked of it, with real syscalls in its own namespace. It reads one JSON
// request per line on stdin and answers each with one JSON line on stdout, the first being
// {"ready":true}. Handles are its own O_PATH fds, named by number: another process reaches the
// mount one holds as /proc/AGENT/fd/N. Nothing here calls unshare(2) or setns(2): nsenter(1) put
// this process where it is.
//
// Arguments: the set-group method, and the mount namespace it must never run in (the test
// runner's, which the worker names): it refuses to start there.
import { readSync, readlinkSync, writeSync } from 'node:fs';
import { InvariantError, MountError } from '../core/errors.js';
import { KernelNamespace } from '../kernel/namespace.js';
import type { MountNamespace } from '../core/namespace.js';
import type { SetGroupMethod } from '../set-group/set-group.js';

/** The MountNamespace methods an agent makes: all but cwd(). */
export type AgentMethod = Exclude<keyof MountNamespace, 'backend' | 'cwd'>;

/** A call the worker asks for: a MountNamespace method and its arguments (handles as { handle, path }). */
export interface AgentRequest {
  method: AgentMethod;
  args: unknown[];
}

/** The answer: the method's result, a refusal with the MountError's fields, or a failure of the agent. */
export type AgentReply =
  | { ready: true }
  | { value: unknown }
  | { refused: { code: string; syscall: string; path?: string | number; dest?: string | number; reason?: string } }
  | { failed: string };

const [method = 'auto', forbidden = ''] = process.argv.slice(2);
if (readlinkSync('/proc/self/ns/mnt') === forbidden) {
  throw new InvariantError(`refusing to run in mount namespace ${forbidden}: the agent runs only in namespaces its worker made`);
}
const ns = new KernelNamespace({ setGroupMethod: method as SetGroupMethod });

function answer(reply: AgentReply): void {
  const text = Buffer.from(`${JSON.stringify(reply)}\n`);
  for (let written = 0; written < text.length; ) written += writeSync(1, text, written);
}

function call(request: AgentRequest): AgentReply {
  try {
    const target = ns[request.method] as (...args: unknown[]) => unknown;
    return { value: target.apply(ns, request.args) ?? null };
  } catch (error) {
    if (error instanceof MountError) {
      const { code, syscall, path, dest, reason } = error;
      return { refused: { code, syscall, ...(path === undefined ? {} : { path }), ...(dest === undefined ? {} : { dest }), ...(reason === undefined ? {} : { reason }) } };
    }
    return { failed: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
}

const idle = new Int32Array(new SharedArrayBuffer(4));

/** read(2) of stdin, waiting while there is nothing to read (the FIFO may be non-blocking). */
function readStdin(chunk: Buffer): number {
  for (;;) {
    try {
      return readSync(0, chunk, 0, chunk.length, null);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      Atomics.wait(idle, 0, 0, 1);
    }
  }
}

/** Serves requests until stdin ends (the worker kills the agent, or closes its end). */
function serve(): void {
  const chunk = Buffer.alloc(64 * 1024);
  let pending = '';
  for (;;) {
    const read = readStdin(chunk);
    if (read === 0) return;
    pending += chunk.toString('utf8', 0, read);
    for (let end = pending.indexOf('\n'); end >= 0; end = pending.indexOf('\n')) {
      const line = pending.slice(0, end);
      pending = pending.slice(end + 1);
      if (line.trim() !== '') answer(call(JSON.parse(line) as AgentRequest));
    }
  }
}

answer({ ready: true });
serve();
