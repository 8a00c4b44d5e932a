// KernelSystem: the MountSystem interface (src/core/system.ts) on real namespaces, for the kernel
// worker (worker.ts), which runs in a private mount namespace of its own. Every process of the
// system is a real child of the worker:
// - `init` is the worker itself (its syscalls are KernelNamespace's, in its own namespace);
// - unshare() starts `unshare -m [-U --map-root-user] --propagation P sh -c 'echo; exec sleep
//   infinity'`, a holder that keeps the new namespace alive until killed;
// - nsenter() starts `nsenter -t PID [-m] [-U] node agent.js`: an agent (agent.ts) in the target's
//   namespaces that makes the calls of the lines run there, answering over a pipe.
// A process run by another than the worker (an unshare or nsenter line inside nsenter) is started
// through `nsenter -t PARENT` first, into that process's namespaces, so the kernel makes its checks
// with that process's privileges. The Node process never calls unshare(2) or setns(2).
//
// The worker talks to its children synchronously (a scenario runs line by line): each child's
// stdout is a FIFO the worker reads without blocking, polling, so that a child that dies (a
// refused nsenter) ends the wait with EOF; its stderr goes to a file, which says why.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, constants, openSync, readdirSync, readFileSync, readSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { getSystemErrorMap } from 'node:util';
import { mountError } from '../core/errors.js';
import type { MountFlag, MountHandle, MountNamespace, MountRef, NewMountOptions, Propagation } from '../core/namespace.js';
import type { MountProcess, MountShell, MountSystem, NsenterOptions, UnshareOptions } from '../core/system.js';
import { KernelNamespace } from '../kernel/namespace.js';
import { nodeArguments, siblingModule } from '../process/child.js';
import { namespaceIdsOf, namespaceOf } from '../process/namespaces.js';
import { readMountinfoText } from '../process/read-mountinfo.js';
import { probe } from '../set-group/probe.js';
import type { SetGroupMethod } from '../set-group/set-group.js';
import type { AgentMethod, AgentReply, AgentRequest } from './agent.js';

const agentModule = siblingModule(import.meta.url, 'agent');

/** How long a child may take to start or to answer before the system gives up on it. */
const ANSWER_TIMEOUT_MS = 120_000;

/** A child that failed as a whole (not a refused operation). */
export class KernelSystemError extends Error {
  override name = 'KernelSystemError';
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Blocks this thread for `ms` milliseconds. */
function pause(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

/** The errno name whose message ends a util-linux error line ("nsenter: cannot open ...: Permission denied"), if any. */
function errnoOfMessage(stderr: string): string | undefined {
  const text = stderr.trim().split('\n').at(-1)?.toLowerCase() ?? '';
  for (const [, [name, message]] of getSystemErrorMap()) if (text.endsWith(`: ${message.toLowerCase()}`)) return name;
  return undefined;
}

/**
 * Whether a process has exited with all its threads (a zombie, or reaped): its namespaces are let
 * go by then. A multithreaded process (an agent: Node) shows its first thread as a zombie while the
 * others still exit, still holding them.
 */
function hasExited(pid: number): boolean {
  try {
    const zombie = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').startsWith('Z');
    return zombie && readdirSync(`/proc/${pid}/task`).length <= 1;
  } catch {
    return true;
  }
}

/**
 * A child of the worker with a line channel: its stdout is a FIFO this process reads without
 * blocking; for an agent, its stdin is a FIFO this process writes requests into.
 */
class Child {
  readonly #child: ChildProcess;
  readonly #replies: number;
  readonly #requests: number | undefined;
  readonly #stderrFile: string;
  #pending = '';
  #ended = false;
  #closed = false;

  constructor(dir: string, id: number, command: string, args: readonly string[], options: { cwd: string; requests: boolean }) {
    const [replyFifo, requestFifo] = [join(dir, `${id}.out`), join(dir, `${id}.in`)];
    this.#stderrFile = join(dir, `${id}.err`);
    const made = spawnSync('mkfifo', options.requests ? [replyFifo, requestFifo] : [replyFifo], { encoding: 'utf8' });
    if (made.status !== 0) throw new KernelSystemError(`mkfifo failed: ${made.stderr || made.error?.message}`);
    this.#replies = openSync(replyFifo, constants.O_RDONLY | constants.O_NONBLOCK);
    const childOut = openSync(replyFifo, constants.O_WRONLY);
    this.#requests = options.requests ? openSync(requestFifo, constants.O_RDWR) : undefined;
    const childErr = openSync(this.#stderrFile, 'w');
    try {
      this.#child = spawn(command, args, { cwd: options.cwd, stdio: [this.#requests ?? 'ignore', childOut, childErr] });
      this.#child.on('error', () => {});
    } finally {
      closeSync(childOut);
      closeSync(childErr);
      rmSync(replyFifo);
      if (options.requests) rmSync(requestFifo);
    }
  }

  get pid(): number {
    return this.#child.pid ?? 0;
  }

  /** What the child wrote on stderr. */
  stderr(): string {
    return readFileSync(this.#stderrFile, 'utf8').trim();
  }

  /** Why the child ended, from what it wrote on stderr: a MountError when util-linux named an errno. */
  failure(what: string): Error {
    const stderr = this.stderr();
    const code = errnoOfMessage(stderr);
    if (code !== undefined) return mountError(code, { syscall: what.split(' ')[0]!, path: what, reason: stderr });
    return new KernelSystemError(`${what} ended without answering: ${stderr || `status ${this.#child.exitCode ?? this.#child.signalCode}`}`);
  }

  /** The next line the child writes; undefined when it ended first. */
  readLine(): string | undefined {
    const chunk = Buffer.alloc(64 * 1024);
    const deadline = Date.now() + ANSWER_TIMEOUT_MS;
    for (let end = this.#pending.indexOf('\n'); end < 0; end = this.#pending.indexOf('\n')) {
      if (this.#ended) return undefined;
      let read: number;
      try {
        read = readSync(this.#replies, chunk, 0, chunk.length, null);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
        if (Date.now() > deadline) throw new KernelSystemError(`process ${this.pid} did not answer within ${ANSWER_TIMEOUT_MS} ms`);
        pause(1);
        continue;
      }
      if (read === 0) this.#ended = true;
      else this.#pending += chunk.toString('utf8', 0, read);
    }
    const end = this.#pending.indexOf('\n');
    const line = this.#pending.slice(0, end);
    this.#pending = this.#pending.slice(end + 1);
    return line;
  }

  /** Sends one line to the child's stdin. */
  writeLine(line: string): void {
    const text = Buffer.from(`${line}\n`);
    for (let written = 0; written < text.length; ) written += writeSync(this.#requests!, text, written);
  }

  /** SIGKILL, then wait until the process has exited: its namespaces are let go by then. */
  kill(): void {
    if (!hasExited(this.pid)) this.#child.kill('SIGKILL');
    while (!hasExited(this.pid)) pause(1);
    this.close();
  }

  /** Lets the process run on alone: the channel closed, and this process free to exit before it. */
  release(): void {
    this.#child.unref();
    this.close();
  }

  /** Lets go of the channel (the process has exited). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#ended = true;
    closeSync(this.#replies);
    if (this.#requests !== undefined) closeSync(this.#requests);
    rmSync(this.#stderrFile, { force: true });
  }
}

/** A process of the system: its pid and mountinfo, and the child behind it (none for the worker itself). */
abstract class KernelProcess implements MountProcess {
  abstract readonly pid: number;

  mountinfo(): string {
    return readMountinfoText(`/proc/${this.pid}/mountinfo`);
  }

  namespaceIds(): { mount: string; user: string } {
    return namespaceIdsOf(this.pid);
  }
}

/** The worker itself, as the system's first process. */
class WorkerShell extends KernelNamespace implements MountProcess {
  readonly pid = process.pid;

  namespaceIds(): { mount: string; user: string } {
    return namespaceIdsOf(this.pid);
  }
}

/** A holder: unshare(1)'s process, which only keeps its namespaces alive. */
class Holder extends KernelProcess {
  constructor(readonly child: Child) {
    super();
  }

  get pid(): number {
    return this.child.pid;
  }
}

/** An agent (agent.ts): a process in other namespaces that makes the calls asked of it there; its handles are its own fds. */
class AgentShell extends KernelProcess implements MountNamespace {
  readonly backend = 'kernel';

  constructor(readonly child: Child) {
    super();
  }

  get pid(): number {
    return this.child.pid;
  }

  cwd(): string {
    return '/';
  }

  #call<T = void>(method: AgentMethod, ...args: unknown[]): T {
    this.child.writeLine(JSON.stringify({ method, args } satisfies AgentRequest));
    const line = this.child.readLine();
    if (line === undefined) throw new KernelSystemError(`agent ${this.pid} exited during ${method}: ${this.child.stderr()}`);
    const reply = JSON.parse(line) as AgentReply;
    if ('refused' in reply) throw mountError(reply.refused.code, reply.refused);
    if ('failed' in reply) throw new KernelSystemError(`agent ${this.pid}: ${reply.failed}`);
    if (!('value' in reply)) throw new KernelSystemError(`agent ${this.pid} answered ${line}`);
    return reply.value as T;
  }

  mkdir(path: string, options: { recursive?: boolean } = {}): void {
    this.#call('mkdir', path, options);
  }

  createFile(path: string): void {
    this.#call('createFile', path);
  }

  mount(fsType: string, source: string, target: string, options: NewMountOptions = {}): void {
    this.#call('mount', fsType, source, target, options);
  }

  bind(source: string, target: string, options: { recursive?: boolean } = {}): void {
    this.#call('bind', source, target, options);
  }

  move(source: string, target: string): void {
    this.#call('move', source, target);
  }

  umount(target: MountRef, options: { lazy?: boolean } = {}): void {
    this.#call('umount', target, options);
  }

  remountBind(target: MountRef, flags: readonly MountFlag[]): void {
    this.#call('remountBind', target, flags);
  }

  changePropagation(target: MountRef, type: Propagation, options: { recursive?: boolean } = {}): void {
    this.#call('changePropagation', target, type, options);
  }

  setGroup(source: MountRef, target: MountRef): void {
    this.#call('setGroup', source, target);
  }

  pin(path: string): MountHandle {
    return this.#call('pin', path);
  }

  unpin(handle: MountHandle): void {
    this.#call('unpin', handle);
  }

  openBeneath(dir: MountHandle, path: string): MountHandle {
    return this.#call('openBeneath', dir, path);
  }

  mkdirAt(dir: MountHandle, name: string): void {
    this.#call('mkdirAt', dir, name);
  }

  createFileAt(dir: MountHandle, name: string): void {
    this.#call('createFileAt', dir, name);
  }

  rmdirAt(dir: MountHandle, name: string): void {
    this.#call('rmdirAt', dir, name);
  }

  mountAt(fsType: string, source: string, target: MountHandle, options: NewMountOptions = {}): MountHandle {
    return this.#call('mountAt', fsType, source, target, options);
  }

  bindAt(source: MountRef, target: MountHandle): MountHandle {
    return this.#call('bindAt', source, target);
  }

  cloneDetached(source: MountRef): MountHandle {
    return this.#call('cloneDetached', source);
  }

  attachAt(detached: MountRef, target: MountHandle): MountHandle {
    return this.#call('attachAt', detached, target);
  }

  override mountinfo(): string {
    return this.#call('mountinfo');
  }
}

export interface KernelSystemOptions {
  /** A directory of the worker's scratch tmpfs for the children's FIFOs and stderr files. */
  dir: string;
  /** The form of set-group every process uses. */
  setGroupMethod: SetGroupMethod;
  /** The mount namespace no agent may run in (the test runner's: the worker's parent's). */
  forbidden: string;
}

export class KernelSystem implements MountSystem {
  readonly backend = 'kernel';
  readonly init: WorkerShell;
  readonly #options: KernelSystemOptions;
  readonly #children = new Set<Child>();
  #started = 0;

  constructor(options: KernelSystemOptions) {
    // the agents make set-group as the worker does; 'auto' is probed here once, not in every agent
    const setGroupMethod = options.setGroupMethod === 'auto' ? (probe().preferred ?? 'move_mount') : options.setGroupMethod;
    this.#options = { ...options, setGroupMethod };
    this.init = new WorkerShell({ setGroupMethod });
  }

  unshare(parent: MountShell, cwd: string, options: UnshareOptions = {}): MountProcess {
    const mount = options.mount ?? true;
    const which = [...(mount ? ['-m', '--propagation', options.propagation ?? 'private'] : []), ...(options.user ? ['--map-root-user'] : [])];
    const child = this.#start(parent, ['unshare', ...which, '--', 'sh', '-c', 'echo && exec sleep infinity'], cwd);
    if (child.readLine() === undefined) throw this.#ended(child, `unshare ${which.join(' ')}`);
    return new Holder(child);
  }

  nsenter(parent: MountShell, target: MountProcess, options: NsenterOptions): MountShell {
    const which = [...(options.mount ? ['-m'] : []), ...(options.user ? ['-U'] : [])];
    const agent = [process.execPath, ...nodeArguments(agentModule, [this.#options.setGroupMethod, this.#options.forbidden])];
    const child = this.#start(parent, ['nsenter', '-t', String(target.pid), ...which, '--', ...agent], undefined, true);
    const ready = child.readLine();
    if (ready === undefined) throw this.#ended(child, `nsenter -t ${target.pid} ${which.join(' ')}`);
    if (!('ready' in (JSON.parse(ready) as AgentReply))) throw new KernelSystemError(`agent ${child.pid} said ${ready}`);
    return new AgentShell(child);
  }

  kill(process: MountProcess): void {
    const child = this.#childOf(process);
    child.kill();
    this.#children.delete(child);
  }

  /** Lets `process` run on without this system: its channel closed, close() no longer ends it (a restore's holders outlive the command). */
  release(process: MountProcess): void {
    const child = this.#childOf(process);
    child.release();
    this.#children.delete(child);
  }

  close(): void {
    for (const child of this.#children) child.kill();
    this.#children.clear();
  }

  /** A child that ended before it answered: its error (a MountError when util-linux named one). */
  #ended(child: Child, what: string): Error {
    const error = child.failure(what);
    child.kill();
    this.#children.delete(child);
    return error;
  }

  #childOf(process: MountProcess): Child {
    if (process instanceof Holder || process instanceof AgentShell) return process.child;
    throw new KernelSystemError(`process ${process.pid} was not started by this system`);
  }

  /**
   * Starts `command` as run by `parent`: directly when the parent is the worker; otherwise through
   * `nsenter -t PARENT`, into the parent's mount namespace (working in `cwd` there) and user namespace
   * where they differ from the worker's. A `cwd` of undefined starts it at its root.
   */
  #start(parent: MountShell, command: readonly string[], cwd: string | undefined, requests = false): Child {
    let full = command;
    let spawnCwd = cwd ?? '/';
    if (parent !== this.init) {
      const pid = this.#childOf(parent).pid;
      const mount = namespaceOf(pid, 'mnt') !== namespaceOf(process.pid, 'mnt');
      const user = namespaceOf(pid, 'user') !== namespaceOf(process.pid, 'user');
      const into = [...(mount ? ['-m', ...(cwd === undefined ? [] : ['-W', cwd])] : []), ...(user ? ['-U'] : [])];
      if (into.length > 0) full = ['nsenter', '-t', String(pid), ...into, '--', ...command];
      if (mount) spawnCwd = '/';
    }
    const child = new Child(this.#options.dir, ++this.#started, full[0]!, full.slice(1), { cwd: spawnCwd, requests });
    this.#children.add(child);
    return child;
  }
}
