// The addon's calls with errno turned into MountError. Two-path calls report the source as `path`
// and the target as `dest`, as Node's fs.rename does; one-path calls report the target as `path`.
import { syscallError, type MountErrorFields } from '../errors.js';
import { addon } from './addon.js';

export { addon } from './addon.js';

/** A syscall's return value, or its failure as a MountError. */
function check(rc: number, fields: MountErrorFields): number {
  if (rc < 0) throw syscallError(rc, fields);
  return rc;
}

/** mount(2) with every argument as given; `path` and `dest` say what the error names. */
export function mount(
  source: string | null,
  target: string,
  fsType: string | null,
  flags: number,
  data: string | null,
  names: Pick<MountErrorFields, 'path' | 'dest'> = { path: target },
): void {
  check(addon().mount(source, target, fsType, flags, data), { syscall: 'mount', ...names });
}

/** mount(source, target, NULL, MS_SET_GROUP, NULL): patched kernels only. */
export function mountSetGroup(source: string, target: string, names: Pick<MountErrorFields, 'path' | 'dest'> = { path: source, dest: target }): void {
  check(addon().mountSetGroup(source, target), { syscall: 'mount', ...names });
}

/** move_mount(from, to, MOVE_MOUNT_SET_GROUP): Linux >= 5.15; a number is an fd. */
export function moveMountSetGroup(from: string | number, to: string | number): void {
  check(addon().moveMountSetGroup(from, to), { syscall: 'move_mount', path: from, dest: to });
}

/** umount2(target, flags). */
export function umount2(target: string, flags: number): void {
  check(addon().umount2(target, flags), { syscall: 'umount2', path: target });
}

/** open_tree(AT_FDCWD, path, flags): an fd of the mount at path, or of a detached copy of it. */
export function openTree(path: string, flags: number): number {
  return check(addon().openTree(path, flags), { syscall: 'open_tree', path });
}

/** open(path, O_PATH | O_CLOEXEC): an fd that names a place without opening the file. */
export function openPath(path: string): number {
  return check(addon().openPath(path), { syscall: 'open', path });
}

/** close(fd). */
export function close(fd: number): void {
  check(addon().close(fd), { syscall: 'close', path: fd });
}
