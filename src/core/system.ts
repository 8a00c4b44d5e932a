// The interface above MountNamespace for many mount namespaces: a system of processes, each in a
// mount namespace and a user namespace, as unshare(1), nsenter(1) and kill(1) make and end them.
// `ModelSystem` (src/model) implements it in memory; `KernelSystem` (src/scenario/kernel-system.ts)
// with real processes, children of the kernel worker, each holding real namespaces (nothing here
// ever calls unshare(2) or setns(2) in a Node process). Paths reach into another process's
// namespace as the kernel's /proc/PID/root/... and /proc/PID/cwd/... do, on both backends.
import type { Backend, MountNamespace } from './namespace.js';

/** What unshare(1) --propagation makes of every mount of the new namespace (unshare(1)'s default is private). */
export type UnsharePropagation = 'private' | 'shared' | 'slave' | 'unchanged';

export interface UnshareOptions {
  /** -m: a new mount namespace (default true). */
  mount?: boolean;
  /** -U: a new user namespace, owning the new mount namespace if there is one, in which the process is root (--map-root-user). */
  user?: boolean;
  /** --propagation (default 'private'). */
  propagation?: UnsharePropagation;
}

/** Which of the target's namespaces nsenter(1) enters: -m, -U (at least one). */
export interface NsenterOptions {
  mount: boolean;
  user: boolean;
}

/** A process of a MountSystem: it keeps its namespaces alive while it runs. */
export interface MountProcess {
  /** Its process id: /proc/PID/root and /proc/PID/cwd reach its root and working directory. */
  readonly pid: number;
  /** /proc/PID/mountinfo: its mount namespace's table, as it sees it. */
  mountinfo(): string;
  /** Its mount and user namespaces, as its /proc/PID/ns/mnt and /proc/PID/ns/user links name them ("mnt:[N]", "user:[N]"). */
  namespaceIds(): { mount: string; user: string };
}

/** A process that runs commands: the MountNamespace operations, made as this process. */
export type MountShell = MountNamespace & MountProcess;

export interface MountSystem {
  readonly backend: Backend;
  /** The first process: in the initial mount and user namespaces, with every privilege. */
  readonly init: MountShell;
  /**
   * unshare(1) [-m] [-U] [--propagation P] sleep infinity, run by `parent` in its directory `cwd`: a
   * new process in a new mount namespace and/or user namespace, which it holds until killed.
   */
  unshare(parent: MountShell, cwd: string, options?: UnshareOptions): MountProcess;
  /**
   * nsenter(1) -t TARGET [-m] [-U], run by `parent`: a new process in `target`'s mount and/or user
   * namespace, which runs commands there until killed. Throws MountError (setns(2)'s EPERM or
   * EINVAL, EACCES without ptrace access to `target`, ENOENT once it has exited).
   */
  nsenter(parent: MountShell, target: MountProcess, options: NsenterOptions): MountShell;
  /** kill -KILL: the process exits; a namespace ends with its last process, unmounting everything in it. */
  kill(process: MountProcess): void;
  /** Ends every process the system started (not `init`). */
  close(): void;
}
