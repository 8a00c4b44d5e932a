// KernelNamespace: the MountNamespace interface carried out with real system calls in the calling
// process's mount namespace. It changes the mount table of whatever namespace it runs in: give it
// a namespace of its own (src/process/child.ts) unless changing the caller's is the point.
// Every argument is checked before any system call (src/core/arguments.ts), with Node's error codes.
import { closeSync, constants, fchmodSync, fstatSync, lstatSync, mkdirSync, openSync } from 'node:fs';
import { posix } from 'node:path';
import { isKnownErrno } from '../core/errno.js';
import { procPath, type PathOrFd } from '../core/place.js';
import { MountError, mountError } from '../core/errors.js';
import { setGroupRule } from '../core/set-group-rules.js';
import { mayMount } from '../process/capabilities.js';
import { readMountinfoText } from '../process/read-mountinfo.js';
import { openBeneath } from '../process/resolve.js';
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

/** fsmount(2)'s MOUNT_ATTR_* bits of a list of per-mount flags, as mount(2) would set them (strictatime over noatime). */
function mountAttrBits(flags: readonly MountFlag[]): number {
  const c = sys.addon().constants;
  const bit: Record<Exclude<MountFlag, 'noatime' | 'relatime' | 'strictatime'>, number> = {
    ro: c.MOUNT_ATTR_RDONLY, nosuid: c.MOUNT_ATTR_NOSUID, nodev: c.MOUNT_ATTR_NODEV, noexec: c.MOUNT_ATTR_NOEXEC,
    nodiratime: c.MOUNT_ATTR_NODIRATIME, nosymfollow: c.MOUNT_ATTR_NOSYMFOLLOW,
  };
  const atime = flags.includes('strictatime') ? c.MOUNT_ATTR_STRICTATIME : flags.includes('noatime') ? c.MOUNT_ATTR_NOATIME : c.MOUNT_ATTR_RELATIME;
  return flags.reduce((bits, flag) => bits | (flag in bit ? bit[flag as keyof typeof bit] : 0), atime);
}

/**
 * Configures the filesystem context `fd` as mount(2) would from its arguments: the source, the
 * superblock read-only when the flags say 'ro' (MS_RDONLY is also SB_RDONLY), then each
 * comma-separated item of `data` in order ("ro"/"rw" among them set the superblock's state).
 */
function configure(fd: number, source: string, flags: readonly MountFlag[], data: string, shown: string): void {
  const { FSCONFIG_SET_FLAG, FSCONFIG_SET_STRING, FSCONFIG_CMD_CREATE } = sys.addon().constants;
  sys.fsconfig(fd, FSCONFIG_SET_STRING, 'source', source, shown);
  if (flags.includes('ro')) sys.fsconfig(fd, FSCONFIG_SET_FLAG, 'ro', null, shown);
  for (const item of data.split(',').filter(Boolean)) {
    const equals = item.indexOf('=');
    if (equals < 0) sys.fsconfig(fd, FSCONFIG_SET_FLAG, item, null, shown);
    else sys.fsconfig(fd, FSCONFIG_SET_STRING, item.slice(0, equals), item.slice(equals + 1), shown);
  }
  sys.fsconfig(fd, FSCONFIG_CMD_CREATE, null, null, shown);
}

/** How errors name a held place: the path it was opened by, or its fd. */
function shown(ref: MountRef): string | number {
  return typeof ref === 'string' ? ref : (ref.path ?? ref.handle);
}

/** The path a handle opened beneath `dir` was opened by, when `dir`'s is known. */
function beneath(dir: MountHandle, path: string): string {
  return dir.path === undefined ? path : posix.join(dir.path, path);
}

/** Runs a call whose errors name `/proc/self/fd/N`, naming the place as the caller knows it instead. */
function check(call: () => void, place: string | number): void {
  try {
    call();
  } catch (error) {
    if (!(error instanceof MountError) || typeof place === 'number' || error.path === place) throw error;
    throw mountError(error.code, { syscall: error.syscall, path: place, cause: error });
  }
}

/** Whether `path` is there and neither a directory nor a symbolic link (a file a mount point can be). */
function isPlainNonDirectory(path: string): boolean {
  const stats = lstatSync(path, { throwIfNoEntry: false });
  return stats !== undefined && !stats.isDirectory() && !stats.isSymbolicLink();
}

/** Whether `name` in the directory `dir` holds is a file: neither a directory nor a symbolic link (ELOOP). */
function isFileAt(dir: MountHandle, name: string, shownPath: string): boolean {
  const fd = openBeneath(dir.handle, name, shownPath);
  try {
    return !fstatSync(fd).isDirectory();
  } finally {
    sys.close(fd);
  }
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

  createFile(path: string): void {
    checkArguments.createFile(path);
    const { O_CREAT, O_EXCL, O_WRONLY, O_NOFOLLOW } = constants;
    try {
      closeSync(openSync(path, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW, 0o644));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST' && isPlainNonDirectory(path)) return;
      throw asMountError(error, 'open', path);
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

  umount(target: MountRef, options: { lazy?: boolean } = {}): void {
    checkArguments.umount(target, options);
    asCaller(() => check(() => sys.umount2(mountPath(target), options.lazy ? sys.addon().constants.MNT_DETACH : 0), shown(target)));
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
    return { handle: sys.openPath(path), path };
  }

  unpin(handle: MountHandle): void {
    checkArguments.unpin(handle);
    sys.close(handle.handle);
  }

  openBeneath(dir: MountHandle, path: string): MountHandle {
    checkArguments.openBeneath(dir, path);
    const opened = beneath(dir, path);
    return { handle: openBeneath(dir.handle, path, opened), path: opened };
  }

  mkdirAt(dir: MountHandle, name: string): void {
    checkArguments.mkdirAt(dir, name);
    sys.mkdirat(dir.handle, name, 0o777, beneath(dir, name));
  }

  createFileAt(dir: MountHandle, name: string): void {
    checkArguments.createFileAt(dir, name);
    const { O_CREAT, O_EXCL, O_WRONLY } = constants;
    const { RESOLVE_BENEATH, RESOLVE_NO_SYMLINKS } = sys.addon().constants;
    const made = beneath(dir, name);
    let fd;
    try {
      fd = sys.openat2(dir.handle, name, O_CREAT | O_EXCL | O_WRONLY, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS, made);
    } catch (error) {
      if (error instanceof MountError && error.code === 'EEXIST' && isFileAt(dir, name, made)) return;
      throw error;
    }
    try {
      fchmodSync(fd, 0o644); // openat2 creates with the mode its open_how carries: none
    } finally {
      closeSync(fd);
    }
  }

  rmdirAt(dir: MountHandle, name: string): void {
    checkArguments.rmdirAt(dir, name);
    sys.unlinkat(dir.handle, name, sys.addon().constants.AT_REMOVEDIR, beneath(dir, name));
  }

  mountAt(fsType: string, source: string, target: MountHandle, options: NewMountOptions = {}): MountHandle {
    checkArguments.mountAt(fsType, source, target, options);
    const c = sys.addon().constants;
    const flags = options.flags ?? [];
    let mount = -1;
    asCaller(() => {
      const context = sys.fsopen(fsType, c.FSOPEN_CLOEXEC, shown(target));
      try {
        configure(context, source, flags, options.data ?? '', String(shown(target)));
        mount = sys.fsmount(context, c.FSMOUNT_CLOEXEC, mountAttrBits(flags), shown(target));
      } finally {
        sys.close(context);
      }
    });
    return this.#attach(mount, source, target);
  }

  bindAt(source: MountRef, target: MountHandle): MountHandle {
    checkArguments.bindAt(source, target);
    const { OPEN_TREE_CLONE, OPEN_TREE_CLOEXEC } = sys.addon().constants;
    let clone = -1;
    asCaller(() => {
      clone = sys.openTree(pathOrFd(source), OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC, shown(source));
    });
    return this.#attach(clone, shown(source), target);
  }

  cloneDetached(source: MountRef): MountHandle {
    checkArguments.cloneDetached(source);
    const { OPEN_TREE_CLONE, OPEN_TREE_CLOEXEC } = sys.addon().constants;
    let clone = -1;
    asCaller(() => {
      clone = sys.openTree(pathOrFd(source), OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC, shown(source));
    });
    const path = typeof source === 'string' ? source : source.path;
    return path === undefined ? { handle: clone } : { handle: clone, path };
  }

  attachAt(detached: MountRef, target: MountHandle): MountHandle {
    checkArguments.attachAt(detached, target);
    // An fd of our own on the detached copy (through /proc/PID/fd/N when another process holds it), which then holds it where it is attached.
    const mount = sys.openPath(procPath(pathOrFd(detached)));
    return this.#attach(mount, shown(detached), target);
  }

  /** move_mount of the detached mount `mount` onto `target`; the fd then holds it where it is attached (closed, it goes, if that fails). */
  #attach(mount: number, source: string | number, target: MountHandle): MountHandle {
    try {
      asCaller(() => sys.moveMount(mount, target.handle, 0, source, shown(target)));
    } catch (error) {
      sys.close(mount);
      throw error;
    }
    return target.path === undefined ? { handle: mount } : { handle: mount, path: target.path };
  }

  mountinfo(): string {
    return readMountinfoText('/proc/self/mountinfo');
  }
}
