// Which mount a path or an fd lands on, found exactly: the kernel's mount id of an O_PATH fd
// (fdinfo `mnt_id`), looked up in the mountinfo of the namespace that holds it. A place is a mount's
// root when its `..` lands on another mount, or on itself (a namespace's root) — exact, whatever
// symlinks, bind mounts or chroots lie on the way.
import { fstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { InvariantError, MountError } from '../core/errors.js';
import { readMountinfo } from './read-mountinfo.js';
import type { MountInfo } from '../mountinfo/types.js';
import * as sys from '../native/syscalls.js';
import { procPath, type PathOrFd } from '../core/place.js';
import { statInProcess } from './point-stat.js';

/** A mount as a path lookup lands on it. */
export interface Located {
  mount: MountInfo;
  /** Whether the place named the mount's root (not a directory inside it). */
  isRoot: boolean;
}

/** The kernel's id of the mount an open fd refers to. */
export function mountIdOfFd(fd: number): number {
  const mountId = /^mnt_id:\s*(\d+)$/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))?.[1];
  if (mountId === undefined) throw new InvariantError(`no mnt_id in /proc/self/fdinfo/${fd}`);
  return Number(mountId);
}

/** The mount id and inode a path lookup of `path` lands on. */
function landing(path: string): { mountId: number; dev: number; ino: number } {
  const fd = sys.openPath(path);
  try {
    const { dev, ino } = fstatSync(fd);
    return { mountId: mountIdOfFd(fd), dev, ino };
  } finally {
    sys.close(fd);
  }
}

function readEntries(pid: number | 'self'): MountInfo[] {
  try {
    return readMountinfo(pid, { allowEmpty: true });
  } catch {
    return []; // the process is gone, or not ours to read
  }
}

/** Every mount namespace's entries with a process in it, `first` first then one process of each other namespace (ids are system-wide). */
function* namespacesFrom(first: number | 'self'): Generator<[number | 'self', MountInfo[]]> {
  yield [first, readEntries(first)];
  const seen = new Set<string>();
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const ns = readlinkSync(`/proc/${pid}/ns/mnt`);
      if (seen.has(ns)) continue;
      seen.add(ns);
    } catch {
      continue;
    }
    yield [Number(pid), readEntries(Number(pid))];
  }
}

/**
 * The mount `place` lands on and whether it is that mount's root, looked up first in the namespace
 * of process `pid` (default: this one), then in every namespace; undefined when no visible namespace
 * holds it (a detached mount, or one of a namespace that has died). Throws what opening the place throws.
 */
export function locate(place: PathOrFd, pid: number | 'self' = 'self', searchAll = false): Located | undefined {
  const path = procPath(place);
  const here = landing(path);
  const namespaces = searchAll ? namespacesFrom(pid) : [[pid, readEntries(pid)] as const];
  for (const [holder, entries] of namespaces) {
    const mount = entries.find((entry) => entry.id === here.mountId);
    if (!mount) continue;
    return { mount, isRoot: isMountRoot(path, here, () => isFileMount(holder, mount)) };
  }
  return undefined;
}

/**
 * Whether the mount `mount` of process `pid`'s namespace is of a file: what its mount point shows
 * there is one (mounts stacked on one place are all files, or all directories).
 */
function isFileMount(pid: number | 'self', mount: MountInfo): boolean {
  return statInProcess(pid, mount.mountPoint)?.file === true;
}

/**
 * Whether `path`, which lands on `here`, names its mount's root: its `..` lands on another mount, or
 * on itself (a namespace's root). A non-directory has no `..` (ENOTDIR): it is its mount's root
 * exactly when that mount is of a file, which holds nothing but its root.
 */
function isMountRoot(path: string, here: { mountId: number; dev: number; ino: number }, fileMount: () => boolean): boolean {
  let up;
  try {
    up = landing(`${path}/..`);
  } catch (error) {
    if (error instanceof MountError && error.code === 'ENOTDIR') return fileMount();
    throw error;
  }
  return up.mountId !== here.mountId || (up.dev === here.dev && up.ino === here.ino);
}
