// KernelNamespace: the MountNamespace interface carried out with real system calls in the calling
// process's mount namespace. It changes the mount table of whatever namespace it runs in: give it
// a namespace of its own (src/process/child.ts) unless changing the caller's is the point.
// Every argument is checked before any system call (src/core/arguments.ts), with Node's error codes.
import { mkdirSync } from 'node:fs';
import { isKnownErrno } from '../core/errno.js';
import { procPath, type PathOrFd } from '../core/place.js';
import { MountError, mountError } from '../core/errors.js';
import { setGroupRule } from '../core/set-group-rules.js';
import { mayMount } from '../process/capabilities.js';
import { readMountinfoText } from '../process/read-mountinfo.js';
import * as sys from '../native/syscalls.js';
import type { MountFlag, MountHandle, MountNamespace, MountRef, NewMountOptions, Propagation } from '../core/namespace.js';
import { setGroup, type SetGroupMethod } from '../set-group/set-group.js';
import { checkArguments } from '../core/arguments.js';

export interface KernelNamespaceOptions {
  /** The form of set-group to use (default 'auto'). */
  setGroupMethod?: SetGroupMethod;
}

function propagationFlag(type: Propagation): number {
  const c = sys.addon().constants;
  return { shared: c.MS_SHARED, slave: c.MS_SLAVE, private: c.MS_PRIVATE, unbindable: c.MS_UNBINDABLE }[type];
}

/** The mount(2) MS_* bits of a list of per-mount flags. */
function mountFlagBits(flags: readonly MountFlag[]): number {
  const c = sys.addon().constants;
  const bit: Record<MountFlag, number> = {
    ro: c.MS_RDONLY, nosuid: c.MS_NOSUID, nodev: c.MS_NODEV, noexec: c.MS_NOEXEC, noatime: c.MS_NOATIME,
    nodiratime: c.MS_NODIRATIME, relatime: c.MS_RELATIME, strictatime: c.MS_STRICTATIME, nosymfollow: c.MS_NOSYMFOLLOW,
  };
  return flags.reduce((bits, flag) => bits | bit[flag], 0);
}

/** A Node fs error (mkdir) as the MountError the model would raise for it; other codes stay Node's own errors. */
function asMountError(error: unknown, syscall: string, path: string): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  return typeof code === 'string' && isKnownErrno(code) ? mountError(code, { syscall, path, cause: error }) : error;
}

/** A mount as the syscalls take it: a path, or the pinned mount's O_PATH fd. */
function pathOrFd(ref: MountRef): PathOrFd {
  return typeof ref === 'string' ? ref : ref.handle;
}

/** A mount as a path mount(2) resolves to exactly it, even when something covers it (a pin by its /proc/self/fd link). */
function mountPath(ref: MountRef): string {
  return procPath(pathOrFd(ref));
}

/** Runs a mount call; its EPERM, in a process without CAP_SYS_ADMIN, says to run as root (may_mount()). */
function asCaller(call: () => void): void {
  try {
    call();
  } catch (error) {
    if (!(error instanceof MountError) || error.code !== 'EPERM' || error.reason !== undefined || mayMount()) throw error;
    const { syscall, path, dest } = error;
    throw mountError('EPERM', { syscall, path, dest, reason: setGroupRule.callerMayNotMount(), cause: error });
  }
}

export class KernelNamespace implements MountNamespace {
  readonly backend = 'kernel';
  readonly #setGroupMethod: SetGroupMethod;

  constructor(options: KernelNamespaceOptions = {}) {
    this.#setGroupMethod = options.setGroupMethod ?? 'auto';
  }

  cwd(): string {
    return process.cwd();
  }

  mkdir(path: string, options: { recursive?: boolean } = {}): void {
    checkArguments.mkdir(path, options);
    try {
      mkdirSync(path, { recursive: options.recursive ?? false });
    } catch (error) {
      throw asMountError(error, 'mkdir', path);
    }
  }

  mount(fsType: string, source: string, target: string, options: NewMountOptions = {}): void {
    checkArguments.mount(fsType, source, target, options);
    asCaller(() => sys.mount(source, target, fsType, mountFlagBits(options.flags ?? []), options.data ?? null));
  }

  bind(source: string, target: string, options: { recursive?: boolean } = {}): void {
    checkArguments.bind(source, target, options);
    const { MS_BIND, MS_REC } = sys.addon().constants;
    asCaller(() => sys.mount(source, target, null, MS_BIND | (options.recursive ? MS_REC : 0), null, source, target));
  }

  move(source: string, target: string): void {
    checkArguments.move(source, target);
    asCaller(() => sys.mount(source, target, null, sys.addon().constants.MS_MOVE, null, source, target));
  }

  umount(target: string, options: { lazy?: boolean } = {}): void {
    checkArguments.umount(target, options);
    asCaller(() => sys.umount2(target, options.lazy ? sys.addon().constants.MNT_DETACH : 0));
  }

  remountBind(target: MountRef, flags: readonly MountFlag[]): void {
    checkArguments.remountBind(target, flags);
    const { MS_REMOUNT, MS_BIND } = sys.addon().constants;
    asCaller(() => sys.mount(null, mountPath(target), null, MS_REMOUNT | MS_BIND | mountFlagBits(flags), null));
  }

  changePropagation(target: MountRef, type: Propagation, options: { recursive?: boolean } = {}): void {
    checkArguments.changePropagation(target, type, options);
    const recursive = options.recursive ? sys.addon().constants.MS_REC : 0;
    asCaller(() => sys.changePropagation(mountPath(target), propagationFlag(type) | recursive));
  }

  setGroup(source: MountRef, target: MountRef): void {
    checkArguments.setGroup(source, target);
    setGroup(pathOrFd(source), pathOrFd(target), { method: this.#setGroupMethod });
  }

  pin(path: string): MountHandle {
    checkArguments.pin(path);
    return { handle: sys.openPath(path) };
  }

  unpin(handle: MountHandle): void {
    checkArguments.unpin(handle);
    sys.close(handle.handle);
  }

  mountinfo(): string {
    return readMountinfoText('/proc/self/mountinfo');
  }
}
