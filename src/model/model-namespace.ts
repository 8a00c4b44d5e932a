// ModelNamespace: the MountNamespace interface answered by the in-memory model of Linux mount
// propagation, as one process of the model (its mount namespace, credentials, root and working
// directory). Each method names its syscall and paths the way the kernel backend's errors do.
import { mountError } from '../core/errors.js';
import { checkArguments } from '../core/arguments.js';
import { render } from '../mountinfo/render.js';
import type { MountInfo } from '../mountinfo/types.js';
import type { MountFlag, MountHandle, MountNamespace, MountRef, NewMountOptions, Propagation } from '../core/namespace.js';
import type { MountProcess } from '../core/system.js';
import { pathBelow } from './dcache.js';
import { closeFd, fdInstall, fileAt } from './file.js';
import { lookupBeneath, lookupPath, type Fail } from './namei.js';
import { bootKernel } from './nsproxy.js';
import { MountPointPaths, mountinfoEntries } from './proc.js';
import {
  doChangeType,
  doCreateFile,
  doCreateFileAt,
  doLoopback,
  doMkdir,
  doMkdirAt,
  doMoveMount,
  doMoveMountTree,
  doNewMount,
  doOpenTreeClone,
  doReconfigureMnt,
  doRmdirAt,
  doSetGroup,
  doUmount,
  shownAs,
  type Place,
} from './syscalls.js';
import { DEFAULT_MOUNT_MAX } from './kernel-state.js';
import type { KernelVersion, Path, Task } from './types.js';

export interface ModelNamespaceOptions {
  /** fs.mount-max (default 100000). */
  mountMax?: number;
  /** The id the first mount (the namespace root) gets; later ones are smallest-free from there. Default 1. */
  firstMountId?: number;
  /** Filesystem types a new mount may name; each mount of one gets a fresh, empty superblock. Default tmpfs, ramfs. */
  filesystems?: readonly string[];
  /** The fs type and source of the namespace root. Default rootfs. */
  root?: { fsType: string; source: string };
  /** Whose behaviour to follow where Linux changed it (README.md, Kernel versions). Default 6.18. */
  kernel?: KernelVersion;
}

/** The filesystems whose every mount is a fresh, empty superblock: the ones the model can stand in for. */
export const DEFAULT_FILESYSTEMS: readonly string[] = ['tmpfs', 'ramfs'];

/** The path a handle opened beneath `dir` was opened by, when `dir`'s is known. */
function beneath(dir: MountHandle, path: string): string {
  return dir.path === undefined ? path : `${dir.path.replace(/\/$/, '')}/${path}`;
}

/** An error thrower for one call: its syscall, and its paths as Node's fs errors name them. */
export function failure(syscall: string, path: string, dest?: string): Fail {
  return (code, reason) => {
    throw mountError(code, dest === undefined ? { syscall, path, reason } : { syscall, path, dest, reason });
  };
}

/** The first process of a freshly booted model. */
function boot(options: ModelNamespaceOptions): Task {
  return bootKernel({
    firstMountId: options.firstMountId ?? 1,
    version: options.kernel ?? '6.18',
    filesystems: new Set(options.filesystems ?? DEFAULT_FILESYSTEMS),
    root: options.root ?? { fsType: 'rootfs', source: 'rootfs' },
    mountMax: options.mountMax ?? DEFAULT_MOUNT_MAX,
  });
}

export class ModelNamespace implements MountNamespace, MountProcess {
  readonly backend = 'model';
  readonly #task: Task;

  /**
   * A new model booted with `options`, acting as its first process (root and working directory
   * "/"); or, given `task` (ModelSystem does), acting as that process of an existing model.
   */
  constructor(options: ModelNamespaceOptions = {}, task: Task = boot(options)) {
    this.#task = task;
  }

  /** fs.mount-max: how many mounts a namespace may hold; a mount or propagation beyond it is ENOSPC. */
  get mountMax(): number {
    return this.#task.mntNs.kernel.mountMax;
  }

  set mountMax(value: number) {
    this.#task.mntNs.kernel.mountMax = value;
  }

  /** How many mounts this process's namespace holds (nr_mounts). */
  get mountCount(): number {
    return this.#task.mntNs.mounts.size;
  }

  /** The process the model acts as (its namespace, credentials, root, cwd), for assertInvariants() and tests. */
  get state(): Task {
    return this.#task;
  }

  get pid(): number {
    return this.#task.pid;
  }

  namespaceIds(): { mount: string; user: string } {
    return { mount: `mnt:[${this.#task.mntNs.seq}]`, user: `user:[${this.#task.userNs.inum}]` };
  }

  /** d_path() of the working directory, as the process sees it. */
  cwd(): string {
    const { mount, dentry } = this.#task.cwd;
    const at = mount.ns === null ? '/' : new MountPointPaths(mount.ns.root).of(mount);
    const below = pathBelow(dentry, mount.root);
    return at === '/' ? below || '/' : at + below;
  }

  /** chdir(2): the working directory becomes the place `path` names (the top of what is mounted there). */
  chdir(path: string): void {
    checkArguments.pin(path);
    const place = lookupPath(this.#task, path, failure('chdir', path));
    const k = this.#task.mntNs.kernel;
    k.mntget(place.mount);
    k.mntput(this.#task.cwd.mount);
    this.#task.cwd = place;
  }

  mkdir(path: string, options: { recursive?: boolean } = {}): void {
    checkArguments.mkdir(path, options);
    doMkdir(this.#task, path, options.recursive ?? false, failure('mkdir', path));
  }

  createFile(path: string): void {
    checkArguments.createFile(path);
    doCreateFile(this.#task, path, failure('open', path));
  }

  mount(fsType: string, source: string, target: string, options: NewMountOptions = {}): void {
    checkArguments.mount(fsType, source, target, options);
    doNewMount(this.#task, fsType, source, target, options, failure('mount', target));
  }

  bind(source: string, target: string, options: { recursive?: boolean } = {}): void {
    checkArguments.bind(source, target, options);
    doLoopback(this.#task, source, target, options.recursive ?? false, failure('mount', source, target));
  }

  move(source: string, target: string): void {
    checkArguments.move(source, target);
    doMoveMount(this.#task, source, target, failure('mount', source, target));
  }

  umount(target: MountRef, options: { lazy?: boolean } = {}): void {
    checkArguments.umount(target, options);
    const place = this.#named(target);
    doUmount(this.#task, place, options.lazy ?? false, failure('umount2', shownAs(place)));
  }

  remountBind(target: MountRef, flags: readonly MountFlag[]): void {
    checkArguments.remountBind(target, flags);
    const place = this.#place(target);
    doReconfigureMnt(this.#task, place, flags, failure('mount', shownAs(place)));
  }

  changePropagation(target: MountRef, type: Propagation, options: { recursive?: boolean } = {}): void {
    checkArguments.changePropagation(target, type, options);
    const place = this.#place(target);
    doChangeType(this.#task, place, type, options.recursive ?? false, failure('mount', shownAs(place)));
  }

  setGroup(source: MountRef, target: MountRef): void {
    checkArguments.setGroup(source, target);
    const [from, to] = [this.#place(source), this.#place(target)];
    doSetGroup(this.#task, from, to, failure('move_mount', shownAs(from), shownAs(to)));
  }

  pin(path: string): MountHandle {
    checkArguments.pin(path);
    return this.#hold(lookupPath(this.#task, path, failure('open', path)), path);
  }

  unpin(handle: MountHandle): void {
    checkArguments.unpin(handle);
    if (!closeFd(this.#task, handle.handle)) throw mountError('EBADF', { syscall: 'close', path: handle.handle });
  }

  openBeneath(dir: MountHandle, path: string): MountHandle {
    checkArguments.openBeneath(dir, path);
    const opened = beneath(dir, path);
    return this.#hold(lookupBeneath(this.#held(dir), path, failure('openat2', opened)), opened);
  }

  mkdirAt(dir: MountHandle, name: string): void {
    checkArguments.mkdirAt(dir, name);
    doMkdirAt(this.#held(dir), name, failure('mkdir', beneath(dir, name)));
  }

  createFileAt(dir: MountHandle, name: string): void {
    checkArguments.createFileAt(dir, name);
    doCreateFileAt(this.#held(dir), name, failure('open', beneath(dir, name)));
  }

  rmdirAt(dir: MountHandle, name: string): void {
    checkArguments.rmdirAt(dir, name);
    doRmdirAt(this.#task, this.#held(dir), name, failure('rmdir', beneath(dir, name)));
  }

  mountAt(fsType: string, source: string, target: MountHandle, options: NewMountOptions = {}): MountHandle {
    checkArguments.mountAt(fsType, source, target, options);
    const place = this.#named(target);
    const mnt = doNewMount(this.#task, fsType, source, place, options, failure('move_mount', fsType, shownAs(place)));
    return this.#hold({ mount: mnt, dentry: mnt.root }, target.path);
  }

  bindAt(source: MountRef, target: MountHandle): MountHandle {
    checkArguments.bindAt(source, target);
    const [from, to] = [this.#named(source), this.#named(target)];
    const mnt = doLoopback(this.#task, from, to, false, failure('move_mount', shownAs(from), shownAs(to)));
    return this.#hold({ mount: mnt, dentry: mnt.root }, target.path);
  }

  cloneDetached(source: MountRef): MountHandle {
    checkArguments.cloneDetached(source);
    const from = this.#named(source);
    const mnt = doOpenTreeClone(this.#task, from, failure('open_tree', shownAs(from)));
    const handle = fdInstall(this.#task, { mount: mnt, dentry: mnt.root }, true);
    return typeof source === 'string' ? { handle, path: source } : source.path === undefined ? { handle } : { handle, path: source.path };
  }

  attachAt(detached: MountRef, target: MountHandle): MountHandle {
    checkArguments.attachAt(detached, target);
    // The kernel backend opens a path first (O_PATH), then moves what it holds.
    const from = typeof detached === 'string' ? { pinned: lookupPath(this.#task, detached, failure('open', detached)), shown: detached } : this.#named(detached);
    const to = this.#named(target);
    const mnt = doMoveMountTree(this.#task, from, to, failure('move_mount', shownAs(from), shownAs(to)));
    return this.#hold({ mount: mnt, dentry: mnt.root }, target.path);
  }

  /** A new pin of `place`, numbered as a process's next fd is: the smallest free number. */
  #hold(place: Path, path?: string): MountHandle {
    const handle = fdInstall(this.#task, place);
    return path === undefined ? { handle } : { handle, path };
  }

  /** The place a handle pinned (EBADF for one never pinned or let go). */
  #held(ref: MountHandle): Path {
    const file = fileAt(this.#task, ref.handle);
    if (file === undefined) throw mountError('EBADF', { syscall: 'openat2', path: ref.handle });
    return file.path;
  }

  /** A path as it is, a handle as the place it pinned (EBADF for one never pinned or let go). */
  #place(ref: MountRef): Place {
    if (typeof ref === 'string') return ref;
    const file = fileAt(this.#task, ref.handle);
    if (file === undefined) throw mountError('EBADF', { syscall: 'mount', path: ref.handle });
    return { pinned: file.path, shown: `fd ${ref.handle}` };
  }

  /** As #place, naming a handle by the path it was opened by, as the kernel backend's fd operations do. */
  #named(ref: MountRef): Place {
    const place = this.#place(ref);
    return typeof ref === 'string' || ref.path === undefined || typeof place === 'string' ? place : { ...place, shown: ref.path };
  }

  /** The namespace's mountinfo as entries, in the kernel's order. */
  entries(): MountInfo[] {
    return mountinfoEntries(this.#task.mntNs);
  }

  mountinfo(): string {
    return render(this.entries());
  }
}
