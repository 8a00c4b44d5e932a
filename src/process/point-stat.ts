// What a process's namespace holds at a path, looked at from outside through /proc/PID/root: a
// file or not, and on which superblock. For dump, which records whether each mount is a file (a
// runtime binds files: /etc/hosts, /proc/keys masked with /dev/null) so that restore makes a file,
// not a directory, for it to be mounted on.
import { lstatSync } from 'node:fs';
import type { PointStat } from '../core/place.js';

export type { PointStat };

/** glibc's dev_t layout (gnu_dev_major/minor): the device of an lstat(), as mountinfo writes it. */
function deviceOf(dev: bigint): string {
  const major = ((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn);
  const minor = (dev & 0xffn) | ((dev >> 12n) & ~0xffn);
  return `${major}:${minor}`;
}

/**
 * lstat(2) of `path` (absolute, in process `pid`'s view) through /proc/PID/root ("/" its root itself), never following a
 * last component that is a symbolic link (one counts as a file); undefined when nothing is there
 * or the process cannot be looked into.
 */
export function statInProcess(pid: number | 'self', path: string): PointStat | undefined {
  try {
    const stats = lstatSync(`/proc/${pid}/root${path}`, { bigint: true, throwIfNoEntry: false });
    return stats && { file: !stats.isDirectory(), superblock: deviceOf(stats.dev) };
  } catch {
    return undefined;
  }
}
