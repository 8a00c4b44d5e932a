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

export interface NewMountOptions {
  /** Filesystem-specific data, as mount(8) -o passes it ("size=1m,mode=755"). */
  data?: string;
  /** MS_RDONLY. */
  readOnly?: boolean;
}

/**
 * A mount held by reference rather than by path: it stays reachable after another mount covers it
 * (the kernel backend: an O_PATH file descriptor). Valid until unpinned.
 */
export interface MountHandle {
  readonly handle: number;
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

  /** A new mount of a fresh superblock: mount -t TYPE SOURCE TARGET. */
  mount(fsType: string, source: string, target: string, options?: NewMountOptions): void;

  /** mount --bind / --rbind. */
  bind(source: string, target: string, options?: { recursive?: boolean }): void;

  /** mount --move. */
  move(source: string, target: string): void;

  /** umount(2); `lazy` is MNT_DETACH (umount -l). */
  umount(target: string, options?: { lazy?: boolean }): void;

  /** mount --make-[r]shared|slave|private|unbindable. */
  changePropagation(target: MountRef, type: Propagation, options?: { recursive?: boolean }): void;

  /** Set-group: put the private mount at `target` into the peer group and master of `source`. */
  setGroup(source: MountRef, target: MountRef): void;

  /** Holds the mount (and directory) `path` names now, as open(path, O_PATH) does. */
  pin(path: string): MountHandle;

  /** Lets a pinned mount go (close). */
  unpin(handle: MountHandle): void;

  /** The namespace's /proc/self/mountinfo, in the kernel's format and order. */
  mountinfo(): string;
}
