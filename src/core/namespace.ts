// The one interface both backends implement: every operation the project performs on a mount
// namespace. `ModelNamespace` (src/model) implements it in memory, `KernelNamespace` (src/kernel)
// with real syscalls in the calling process's mount namespace. Both throw the same MountError
// classes with the same codes, so a scenario, a restore plan or a test runs unchanged on either and
// the two can be compared line by line.
//
// Paths are absolute or relative to the namespace's working directory (`cwd`).

/** A propagation type, as `mount --make-TYPE` sets it. */
export type Propagation = 'shared' | 'slave' | 'private' | 'unbindable';

export type Backend = 'kernel' | 'model';

/**
 * The per-mount flags of mount(2), each named as mount(8) -o names it: MS_RDONLY ('ro'), MS_NOSUID,
 * MS_NODEV, MS_NOEXEC, the atime flags MS_NOATIME, MS_NODIRATIME, MS_RELATIME and MS_STRICTATIME,
 * and MS_NOSYMFOLLOW. A list of them is the set of bits a call passes; the kernel (path_mount())
 * turns it into the mount's flags: relatime unless 'noatime' or 'strictatime', 'strictatime' over
 * 'noatime', and on a bind remount the mount's atime flags kept unless an atime flag is given.
 */
export type MountFlag = 'ro' | 'nosuid' | 'nodev' | 'noexec' | 'noatime' | 'nodiratime' | 'relatime' | 'strictatime' | 'nosymfollow';

/** Every MountFlag, in the order mountinfo shows what they set (strictatime shows as no atime flag). */
export const MOUNT_FLAGS: readonly MountFlag[] = ['ro', 'nosuid', 'nodev', 'noexec', 'noatime', 'nodiratime', 'relatime', 'strictatime', 'nosymfollow'];

export interface NewMountOptions {
  /** Filesystem-specific data, as mount(8) -o passes it ("size=1m,mode=755"); "ro"/"rw" here set the superblock's state alone. */
  data?: string;
  /** Per-mount flags; 'ro' makes the superblock read-only too (MS_RDONLY is also SB_RDONLY), unless `data` says "rw". */
  flags?: readonly MountFlag[];
}

/**
 * A mount held by reference rather than by path: it stays reachable after another mount covers it
 * (the kernel backend: an O_PATH file descriptor). Valid until unpinned.
 */
export interface MountHandle {
  readonly handle: number;
  /** The path it was opened by, as errors name it (handles from openBeneath, mountAt and bindAt have one). */
  readonly path?: string;
}

/** Where an operation on a whole mount acts: a path, or a pinned mount. */
export type MountRef = string | MountHandle;

export interface MountNamespace {
  /** Which backend this is; nothing silently stands in for the kernel. */
  readonly backend: Backend;

  /** Working directory for relative paths (the kernel backend: process.cwd()). */
  cwd(): string;

  /** mkdir(2); `recursive` as mkdir -p. */
  mkdir(path: string, options?: { recursive?: boolean }): void;

  /**
   * An empty regular file at `path`, where a file is to be a mount point (a file binds only onto a
   * file); a non-directory already there is left as it is, as mkdir -p leaves a directory: EEXIST
   * for a directory or a symbolic link there, ENOENT for a missing parent, ENOTDIR for a parent
   * that is a file, EROFS on a read-only mount.
   */
  createFile(path: string): void;

  /** A new mount of a fresh superblock: mount -t TYPE SOURCE TARGET. */
  mount(fsType: string, source: string, target: string, options?: NewMountOptions): void;

  /** mount --bind / --rbind. */
  bind(source: string, target: string, options?: { recursive?: boolean }): void;

  /** mount --move. */
  move(source: string, target: string): void;

  /**
   * umount(2); `lazy` is MNT_DETACH (umount -l). A handle names the topmost mount stacked on the
   * place it holds (umount2 on /proc/self/fd/N looks down the stack, as a path does); a handle of
   * a mount that is no longer attached is EINVAL.
   */
  umount(target: MountRef, options?: { lazy?: boolean }): void;

  /**
   * mount -o remount,bind,FLAGS (mount(2) MS_REMOUNT | MS_BIND | FLAGS): the mount whose root is
   * `target` gets exactly `flags` — what is not named is cleared, the atime flags are kept unless
   * one is named — and nothing else changes: not its superblock, not its peers, copies or children.
   */
  remountBind(target: MountRef, flags: readonly MountFlag[]): void;

  /** mount --make-[r]shared|slave|private|unbindable. */
  changePropagation(target: MountRef, type: Propagation, options?: { recursive?: boolean }): void;

  /** Set-group: put the private mount at `target` into the peer group and master of `source`. */
  setGroup(source: MountRef, target: MountRef): void;

  /** Holds the mount (and directory) `path` names now, as open(path, O_PATH) does. */
  pin(path: string): MountHandle;

  /** Lets a pinned mount go (close). */
  unpin(handle: MountHandle): void;

  // The same operations through held places, for callers that must not resolve a name twice
  // (restore: what they act on cannot be swapped for a symbolic link between a check and a use).

  /**
   * openat2(dir, path, O_PATH, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS): holds what the relative
   * `path` names now, walked from the directory `dir` holds (which is not itself looked through to
   * a mount stacked on it), each component crossed onto what is mounted on it; a symbolic link on
   * the way is ELOOP, a way out of `dir` EXDEV. Let go with unpin.
   */
  openBeneath(dir: MountHandle, path: string): MountHandle;

  /** mkdirat(dir, name): a new directory `name` (one component) in the directory `dir` holds. */
  mkdirAt(dir: MountHandle, name: string): void;

  /**
   * An empty regular file `name` (one component) in the directory `dir` holds, as createFile()
   * makes one (a non-directory there is left as it is; a directory or a symbolic link is EEXIST).
   */
  createFileAt(dir: MountHandle, name: string): void;

  /** unlinkat(dir, name, AT_REMOVEDIR): removes the empty directory `name` (one component) from the directory `dir` holds. */
  rmdirAt(dir: MountHandle, name: string): void;

  /**
   * A new mount of a fresh superblock on top of whatever is mounted at the place `target` holds
   * (fsopen, fsconfig, fsmount, move_mount), as mount() makes it; returns a hold on the new mount.
   */
  mountAt(fsType: string, source: string, target: MountHandle, options?: NewMountOptions): MountHandle;

  /**
   * mount --bind of the place `source` names or holds, on top of whatever is mounted at the place
   * `target` holds (open_tree(OPEN_TREE_CLONE), move_mount); returns a hold on the new mount.
   */
  bindAt(source: MountRef, target: MountHandle): MountHandle;

  /**
   * open_tree(OPEN_TREE_CLONE): a copy of the mount at the place `source` names or holds, as a bind
   * would make it (a peer of a shared mount, a slave of a slave's master), detached — in no
   * process's namespace — and held by the returned handle, which unmounts it when let go before it
   * is attached. Another process reaches it as /proc/PID/fd/N (N the handle): how a mount crosses
   * into another mount namespace, whose process attaches it there (attachAt).
   */
  cloneDetached(source: MountRef): MountHandle;

  /**
   * move_mount(2) of the detached copy `detached` holds or names (cloneDetached's handle, or
   * /proc/PID/fd/N of the process holding it) on top of whatever is mounted at the place `target`
   * holds; returns a hold on the attached mount. (An attached mount of this namespace moves there,
   * as mount --move moves it.)
   */
  attachAt(detached: MountRef, target: MountHandle): MountHandle;

  /** The namespace's /proc/self/mountinfo, in the kernel's format and order. */
  mountinfo(): string;
}
