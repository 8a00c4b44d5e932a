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

/** open_tree(AT_FDCWD, path, flags): an fd of the mount at path, or of a detached copy of it. */
export function openTree(path: string, flags: number): number {
  return check(addon().openTree(path, flags), 'open_tree', path);
}

/** open(path, O_PATH | O_CLOEXEC): an fd that names a place without opening the file. */
export function openPath(path: string): number {
  return check(addon().openPath(path), 'open', path);
}

/** close(fd). */
export function close(fd: number): void {
  check(addon().close(fd), 'close', fd);
}
