// Where the volume's propagation changes: in the calling process where the kernel lets a process
// change the propagation of a mount in another namespace (probe.ts), else in a helper that lives in
// the container's mount namespace (enter-child.ts). Never by setns in this process: mount
// namespaces are per thread, and setns fails in a threaded process such as Node.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { mountError, MountError } from '../core/errors.js';
import { procPath } from '../core/place.js';
import { nodeArguments, siblingModule } from '../process/child.js';
import * as sys from '../native/syscalls.js';
import type { PropagationRoute, Via } from './arguments.js';
import { flagsLine, flagsValue, type PropagationFlag } from './flags.js';
import { probeForeignPropagation } from './probe.js';
import type { Volume } from './change.js';
import { attachRule } from './rules.js';
import { procRule } from '../process/proc.js';

/** Changes the propagation of one mount, the volume, through the fd it was resolved into (errors name its /proc/PID/root/... path). */
export interface PropagationChanger {
  readonly via: PropagationRoute;
  /** Throws the kernel's MountError (syscall 'mount', path the volume's /proc path) when it refuses. */
  change(flags: readonly PropagationFlag[]): Promise<void>;
  close(): Promise<void>;
}

/** How long the helper may take to start or to answer. */
const HELPER_TIMEOUT_MS = 30_000;
const helperModule = siblingModule(import.meta.url, 'enter-child');

/** The route `via` asks for: 'auto' is the caller when the volume is in the caller's namespace or the kernel allows it. */
export function chooseRoute(via: Via, sameNamespace: boolean): PropagationRoute {
  if (via !== 'auto') return via;
  return sameNamespace || probeForeignPropagation().allowed ? 'caller' : 'nsenter';
}

/** Refuses the 'caller' route up front where the probe found the kernel refuses it: nothing is changed then. */
export function refuseUnavailableRoute(route: PropagationRoute, pid: number, path: string, sameNamespace: boolean): void {
  if (route !== 'caller' || sameNamespace) return;
  const found = probeForeignPropagation();
  if (found.probed && !found.allowed) {
    throw mountError('EINVAL', { syscall: 'mount', path, reason: attachRule.foreignChangeRefused(pid) });
  }
}

/** The change made by this process itself, on the volume's fd (mount(2) follows /proc/self/fd/N to exactly its mount). */
function inCaller(volume: Volume): PropagationChanger {
  return {
    via: 'caller',
    change: async (flags) => {
      try {
        sys.changePropagation(procPath(volume.fd), flagsValue(flags));
      } catch (error) {
        if (!(error instanceof MountError)) throw error;
        throw mountError(error.code, { syscall: error.syscall, path: volume.path, cause: error });
      }
    },
    close: async () => {},
  };
}

/**
 * The helper: nsenter enters the container's mount namespace and then runs Node, so every thread of
 * it lives there; `--root=/` and `--wd=/` (opened before entering) keep this process's root
 * directory, so Node and this package resolve as here. The volume reaches it as its fd 3, a copy
 * of the fd this process resolved it into: the helper resolves no path.
 */
function spawnHelper(pid: number, namespace: string, fd: number): ChildProcess {
  const command = [`--mount=/proc/${pid}/ns/mnt`, '--root=/', '--wd=/', '--', process.execPath, ...nodeArguments(helperModule, [namespace])];
  return spawn('nsenter', command, { stdio: ['pipe', 'pipe', 'pipe', fd] });
}

/** A helper in the container's namespace, driven one line at a time (see enter-child.ts). */
class NsenterChanger implements PropagationChanger {
  readonly via = 'nsenter';
  readonly #child: ChildProcess;
  readonly #pid: number;
  readonly #path: string;
  readonly #lines: string[] = [];
  #waiting: ((line: string | undefined) => void) | undefined;
  #stderr = '';
  #exited = false;

  constructor(child: ChildProcess, pid: number, path: string) {
    this.#child = child;
    this.#pid = pid;
    this.#path = path;
    child.stderr!.on('data', (chunk: Buffer) => (this.#stderr += chunk.toString()));
    createInterface({ input: child.stdout! }).on('line', (line) => this.#deliver(line));
    child.on('error', (error) => (this.#stderr += `cannot run nsenter(1): ${error.message} (install util-linux)`));
    child.stdin!.on('error', () => {}); // EPIPE when the helper has died: its exit says why.
    child.on('close', () => {
      this.#exited = true;
      this.#deliver(undefined);
    });
  }

  #deliver(line: string | undefined): void {
    const waiting = this.#waiting;
    this.#waiting = undefined;
    if (waiting) waiting(line);
    else if (line !== undefined) this.#lines.push(line);
  }

  /** The helper's next line, or undefined once it has exited or timed out. */
  #nextLine(): Promise<string | undefined> {
    const line = this.#lines.shift();
    if (line !== undefined || this.#exited) return Promise.resolve(line);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#stderr += `no answer within ${HELPER_TIMEOUT_MS} ms`;
        this.#child.kill();
      }, HELPER_TIMEOUT_MS);
      this.#waiting = (next) => {
        clearTimeout(timer);
        resolve(next);
      };
    });
  }

  /** Why the helper stopped: EPERM when nsenter could not enter, ESRCH when the process went away. */
  #failure(): Error {
    const detail = this.#stderr.trim().split('\n').at(-1) ?? 'the helper exited';
    if (/Operation not permitted/.test(detail)) {
      return mountError('EPERM', { syscall: 'setns', path: `/proc/${this.#pid}/ns/mnt`, reason: attachRule.cannotEnter(this.#pid, detail) });
    }
    if (/No such file or directory|No such process/.test(detail)) {
      return mountError('ESRCH', { syscall: 'setns', path: `/proc/${this.#pid}/ns/mnt`, reason: procRule.processGone(this.#pid) });
    }
    return new Error(`the helper in process ${this.#pid}'s mount namespace failed: ${detail}`);
  }

  async ready(): Promise<this> {
    const line = await this.#nextLine();
    if (line !== 'ready') throw this.#failure();
    return this;
  }

  async change(flags: readonly PropagationFlag[]): Promise<void> {
    this.#child.stdin!.write(`${flagsLine(flags)}\n`);
    const line = await this.#nextLine();
    if (line === undefined) throw this.#failure();
    const answer = JSON.parse(line) as { ok: true } | { code: string };
    if ('code' in answer) throw mountError(answer.code, { syscall: 'mount', path: this.#path });
  }

  async close(): Promise<void> {
    this.#child.stdin!.end();
    if (!this.#exited) await once(this.#child, 'close');
  }
}

/** A changer for the volume in process `pid`'s mount namespace. */
export async function openChanger(route: PropagationRoute, pid: number, volume: Volume): Promise<PropagationChanger> {
  if (route === 'caller') return inCaller(volume);
  const helper = new NsenterChanger(spawnHelper(pid, volume.namespace, volume.fd), pid, volume.path);
  try {
    return await helper.ready();
  } catch (error) {
    await helper.close();
    throw error;
  }
}
