// Places: where a system call acts, and how paths nest.

/** A path or an open file descriptor (an O_PATH fd is enough): where a mount is named. */
export type PathOrFd = string | number;

/** What lies at a place: a file or not (a directory), and the "MAJOR:MINOR" of its superblock. */
export interface PointStat {
  file: boolean;
  superblock: string;
}

/** The path that names a place itself: an fd through its /proc/self/fd link, which the kernel follows to exactly the fd's mount. */
export function procPath(place: PathOrFd): string {
  return typeof place === 'number' ? `/proc/self/fd/${place}` : place;
}

/** Whether `path` is absolute and normalized: '/', or '/a/b' without '.', '..', empty components or NUL bytes. */
export function isNormalAbsolute(path: string): boolean {
  if (path === '/') return true;
  if (!path.startsWith('/') || path.includes('\0')) return false;
  return path.slice(1).split('/').every((part) => part !== '' && part !== '.' && part !== '..');
}

/** Whether the normalized absolute path `path` is `dir` or lies below it. */
export function isAtOrUnder(path: string, dir: string): boolean {
  return dir === '/' || path === dir || (path.startsWith(dir) && path.charCodeAt(dir.length) === 0x2f);
}
