// What attach and detach learn about the processes involved before they change anything: that the
// container process exists, which namespaces it is in, and which mount a path lands on — found
// exactly, through the kernel's mount id of an O_PATH fd (fdinfo `mnt_id`), then looked up in the
// mountinfo of the namespace it belongs to.
import { fstatSync, readFileSync, readlinkSync } from 'node:fs';
import { posix } from 'node:path';
import { InvariantError, mountError, MountError } from '../errors.js';
import { readMountinfo } from '../mountinfo/read.js';
import type { MountInfo } from '../mountinfo/types.js';
import * as sys from '../native/syscalls.js';
import { attachRule } from './rules.js';

/** A mount as a path lookup lands on it. */
export interface Located {
  mount: MountInfo;
  /** Whether the path named the mount's root (not a directory inside it). */
  isRoot: boolean;
}

/** The path through which this process reaches `target` inside process `pid`'s mount namespace. */
export function containerPath(pid: number, target: string): string {
  return `/proc/${pid}/root${posix.normalize(target)}`.replace(/(.)\/$/, '$1');
}

/** The error for a failed look at /proc/PID: ESRCH when the process is gone, EACCES without ptrace access. */
function procError(pid: number, path: string, error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ESRCH') return mountError('ESRCH', { syscall: 'open', path, reason: attachRule.processGone(pid), cause: error });
  if (code === 'EACCES' || code === 'EPERM') return mountError('EACCES', { syscall: 'open', path, reason: attachRule.noPtraceAccess(pid), cause: error });
  return error;
}

/** The mount namespace of process `pid` ('self' for this one) as `mnt:[inode]`; ESRCH when it is gone. */
export function mountNamespaceOf(pid: number | 'self', shown = `/proc/${pid}/ns/mnt`): string {
  try {
    return readlinkSync(`/proc/${pid}/ns/mnt`);
  } catch (error) {
    throw procError(Number(pid), shown, error);
  }
}

/** The user namespace of process `pid` ('self' for this one), which owns the mount namespace it creates with it. */
export function userNamespaceOf(pid: number | 'self'): string {
  try {
    return readlinkSync(`/proc/${pid}/ns/user`);
  } catch (error) {
    throw procError(Number(pid), `/proc/${pid}/ns/user`, error);
  }
}

/** True when process `pid` is gone (or became a zombie without namespaces). */
export function processGone(pid: number): boolean {
  try {
    readlinkSync(`/proc/${pid}/ns/mnt`);
    return false;
  } catch {
    return true;
  }
}

/** The kernel's mount id of the mount `path` lands on, and the inode it lands on. */
function landing(path: string): { mountId: number; dev: number; ino: number } {
  const fd = sys.openPath(path);
  try {
    const mountId = /^mnt_id:\s*(\d+)$/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))?.[1];
    if (mountId === undefined) throw new InvariantError(`no mnt_id in /proc/self/fdinfo/${fd}`);
    const { dev, ino } = fstatSync(fd);
    return { mountId: Number(mountId), dev, ino };
  } finally {
    sys.close(fd);
  }
}

/**
 * The mount `path` lands on, looked up by id in the mountinfo of process `pid`'s namespace, or
 * undefined when that namespace does not hold it. A path is a mount root when its `..` lands on
 * another mount, or on itself (a namespace's root): exact, whatever symlinks the path crosses.
 */
export function locate(path: string, pid: number | 'self'): Located | undefined {
  const here = landing(path);
  const mount = readMountinfo(pid).find((entry) => entry.id === here.mountId);
  if (!mount) return undefined;
  const up = landing(`${path}/..`);
  const isRoot = up.mountId !== here.mountId || (up.dev === here.dev && up.ino === here.ino);
  return { mount, isRoot };
}

/** `error` as it concerns process `pid`: ESRCH when the process has gone meanwhile. */
export function unlessGone(pid: number, error: unknown): unknown {
  if (!(error instanceof MountError) || !processGone(pid)) return error;
  return mountError('ESRCH', { syscall: error.syscall, path: error.path, dest: error.dest, reason: attachRule.processGone(pid), cause: error });
}

/** A mount's propagation in words: 'shared (shared:3)', 'a slave (master:1)', 'private'. */
export function propagationState(mount: MountInfo): string {
  const states = [];
  if (mount.shared !== undefined) states.push(`shared (shared:${mount.shared})`);
  if (mount.master !== undefined) states.push(`a slave (master:${mount.master})`);
  return states.length === 0 ? 'private' : states.join(' and ');
}
