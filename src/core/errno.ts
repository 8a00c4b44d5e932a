// The errno codes of the mount family of system calls (mount, move_mount, open_tree, openat2, mkdir,
// umount2, close) and of everything the model and the argument checks raise: the kernel's number
// (include/uapi/asm-generic/errno-base.h and errno.h, which x86-64 and arm64 use) and Node's words
// for it (libuv's uv_strerror()). Written out so that core and the model need no node:* module;
// test/core/errno.test.ts checks every row against Node's own tables. A number the table lacks is
// named `E<number>`, as Node names an errno it does not know.

/** Errno name -> [positive number, description]. */
const ERRNO: Readonly<Record<string, readonly [number, string]>> = {
  EPERM: [1, 'operation not permitted'],
  ENOENT: [2, 'no such file or directory'],
  ESRCH: [3, 'no such process'],
  EINTR: [4, 'interrupted system call'],
  EIO: [5, 'i/o error'],
  ENXIO: [6, 'no such device or address'],
  E2BIG: [7, 'argument list too long'],
  EBADF: [9, 'bad file descriptor'],
  EAGAIN: [11, 'resource temporarily unavailable'],
  ENOMEM: [12, 'not enough memory'],
  EACCES: [13, 'permission denied'],
  EFAULT: [14, 'bad address in system call argument'],
  EBUSY: [16, 'resource busy or locked'],
  EEXIST: [17, 'file already exists'],
  EXDEV: [18, 'cross-device link not permitted'],
  ENODEV: [19, 'no such device'],
  ENOTDIR: [20, 'not a directory'],
  EISDIR: [21, 'illegal operation on a directory'],
  EINVAL: [22, 'invalid argument'],
  ENFILE: [23, 'file table overflow'],
  EMFILE: [24, 'too many open files'],
  ENOSPC: [28, 'no space left on device'],
  EROFS: [30, 'read-only file system'],
  EMLINK: [31, 'too many links'],
  ENAMETOOLONG: [36, 'name too long'],
  ENOSYS: [38, 'function not implemented'],
  ENOTEMPTY: [39, 'directory not empty'],
  ELOOP: [40, 'too many symbolic links encountered'],
  EOVERFLOW: [75, 'value too large for defined data type'],
  EOPNOTSUPP: [95, 'operation not supported on socket'],
};

const nameOfNumber = new Map(Object.entries(ERRNO).map(([name, [number]]) => [number, name]));

/** Every errno name the table knows. */
export const ERRNO_NAMES: readonly string[] = Object.keys(ERRNO);

/** Whether `code` is an errno name the table knows. */
export function isKnownErrno(code: string): boolean {
  return Object.hasOwn(ERRNO, code);
}

/** Positive errno number of an errno name ('EINVAL' -> 22, 'E133' -> 133); undefined for any other name. */
export function errnoNumber(code: string): number | undefined {
  if (isKnownErrno(code)) return ERRNO[code]![0];
  const unnamed = /^E([1-9]\d*)$/.exec(code)?.[1];
  return unnamed === undefined ? undefined : Number(unnamed);
}

/** Errno name of a positive or negative errno number (22 -> 'EINVAL'; 133 -> 'E133'). */
export function errnoName(errno: number): string {
  return nameOfNumber.get(Math.abs(errno)) ?? `E${Math.abs(errno)}`;
}

/** Node's words for an errno name ('EINVAL' -> 'invalid argument'). */
export function errnoDescription(code: string): string {
  return isKnownErrno(code) ? ERRNO[code]![1] : 'unknown error';
}
