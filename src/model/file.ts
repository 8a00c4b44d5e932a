// A process's open files (the part of fs/file.c and fs/file_table.c the model needs): the fd table
// of O_PATH fds a process holds places by (pins), and of the files open_tree(OPEN_TREE_CLONE)
// gives, which own the detached tree they hold. Every open file holds its mount (mntget()), so the
// mount is busy for umount and lives on out of every namespace until its last file is closed.
import { dissolveOnFput } from './mounts.js';
import type { OpenFile, Path, Task } from './types.js';

/** fd_install(): `path` opened by `task`, at the smallest free fd; the file holds its mount. */
export function fdInstall(task: Task, path: Path, ownsDetachedTree = false): number {
  const fd = task.fdNumbers.alloc();
  task.files.set(fd, { path, ownsDetachedTree });
  task.mntNs.kernel.mntget(path.mount);
  return fd;
}

/** The open file at `fd` of `task`, if any. */
export function fileAt(task: Task, fd: number): OpenFile | undefined {
  return task.files.get(fd);
}

/** __fput(): a file open_tree() gave dissolves the tree it still holds detached, then the file lets go of its mount. */
function fput(task: Task, file: OpenFile): void {
  const k = task.mntNs.kernel;
  if (file.ownsDetachedTree) dissolveOnFput(k, file.path.mount);
  k.mntput(file.path.mount);
}

/** close_fd(): false when `fd` is not open (EBADF). */
export function closeFd(task: Task, fd: number): boolean {
  const file = task.files.get(fd);
  if (file === undefined) return false;
  task.files.delete(fd);
  task.fdNumbers.free(fd);
  fput(task, file);
  return true;
}

/** exit_files(): a process that exits closes every file it has open. */
export function exitFiles(task: Task): void {
  for (const fd of [...task.files.keys()]) closeFd(task, fd);
}
