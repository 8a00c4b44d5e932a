// The addon's calls with errno turned into MountError. Two-path calls report the source as `path`
// and the target as `dest`, as Node's fs.rename does; one-path calls report the target as `path`.
import { syscallError } from '../core/errors.js';
import type { PathOrFd } from '../core/place.js';
import { addon } from './addon.js';

export { addon } from './addon.js';

/** A syscall's return value, or its failure as a MountError (built only on failure: hot path). */
function check(rc: number, syscall: string, path: PathOrFd, dest?: PathOrFd): number {
  if (rc < 0) throw syscallError(rc, dest === undefined ? { syscall, path } : { syscall, path, dest });
  return rc;
}

/** mount(2) with every argument as given; `path` and `dest` are what an error names. */
export function mount(source: string | null, target: string, fsType: string | null, flags: number, data: string | null, path: PathOrFd = target, dest?: PathOrFd): void {
  check(addon().mount(source, target, fsType, flags, data), 'mount', path, dest);
}

/** mount(NULL, target, NULL, flags, NULL): a propagation change (MS_SHARED, MS_SLAVE... | MS_REC). */
export function changePropagation(target: string, flags: number): void {
  check(addon().changePropagation(target, flags), 'mount', target);
}

/** mount(source, target, NULL, MS_SET_GROUP, NULL): patched kernels only. */
export function mountSetGroup(source: string, target: string, path: PathOrFd = source, dest: PathOrFd = target): void {
  check(addon().mountSetGroup(source, target), 'mount', path, dest);
}

/** move_mount(from, to, MOVE_MOUNT_SET_GROUP): Linux >= 5.15; a number is an fd. */
export function moveMountSetGroup(from: PathOrFd, to: PathOrFd): void {
  check(addon().moveMountSetGroup(from, to), 'move_mount', from, to);
}

/** umount2(target, flags). */
export function umount2(target: string, flags: number): void {
  check(addon().umount2(target, flags), 'umount2', target);
}

/** open_tree(from, flags): an fd of the mount at `from` (a path, or an fd with AT_EMPTY_PATH), or of a detached copy of it. */
export function openTree(from: PathOrFd, flags: number, path: PathOrFd = from): number {
  return check(addon().openTree(from, flags), 'open_tree', path);
}

/** move_mount(from, to, flags), each side a path or an fd (with its *_EMPTY_PATH flag); `path` and `dest` are what an error names. */
export function moveMount(from: PathOrFd, to: PathOrFd, flags: number, path: PathOrFd = from, dest: PathOrFd = to): void {
  check(addon().moveMount(from, to, flags), 'move_mount', path, dest);
}

/** openat2(dirfd, path, { flags, resolve }): an fd of what `path` names from `dirfd`, resolved as `resolve` allows; `shown` is what an error names. */
export function openat2(dirfd: number, path: string, flags: number, resolve: number, shown: PathOrFd = path): number {
  return check(addon().openat2(dirfd, path, flags, resolve), 'openat2', shown);
}

/** mkdirat(dirfd, path, mode). */
export function mkdirat(dirfd: number, path: string, mode: number, shown: PathOrFd = path): void {
  check(addon().mkdirat(dirfd, path, mode), 'mkdir', shown);
}

/** unlinkat(dirfd, path, flags): with AT_REMOVEDIR, rmdir. */
export function unlinkat(dirfd: number, path: string, flags: number, shown: PathOrFd = path): void {
  check(addon().unlinkat(dirfd, path, flags), flags & addon().constants.AT_REMOVEDIR ? 'rmdir' : 'unlink', shown);
}

/** fsopen(fsName, flags): a filesystem context to configure. */
export function fsopen(fsName: string, flags: number, shown: PathOrFd = fsName): number {
  return check(addon().fsopen(fsName, flags), 'fsopen', shown);
}

/** fsconfig(fd, cmd, key, value, 0): one parameter of a filesystem context, or a command (FSCONFIG_CMD_CREATE). */
export function fsconfig(fd: number, cmd: number, key: string | null, value: string | null, shown: PathOrFd = fd): void {
  check(addon().fsconfig(fd, cmd, key, value, 0), 'fsconfig', shown);
}

/** fsmount(fd, flags, attrFlags): a detached mount of the superblock a configured context created. */
export function fsmount(fd: number, flags: number, attrFlags: number, shown: PathOrFd = fd): number {
  return check(addon().fsmount(fd, flags, attrFlags), 'fsmount', shown);
}

/** open(path, O_PATH | O_CLOEXEC): an fd that names a place without opening the file. */
export function openPath(path: string): number {
  return check(addon().openPath(path), 'open', path);
}

/** close(fd). */
export function close(fd: number): void {
  check(addon().close(fd), 'close', fd);
}
