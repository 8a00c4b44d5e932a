// What attach and detach learn about the processes involved before they change anything: that the
// container process exists and which namespaces it is in. Which mount a path lands on is
// src/process/locate.ts's job.
import { readlinkSync } from 'node:fs';
import { posix } from 'node:path';
import { mountError, MountError } from '../core/errors.js';
import { procError, procRule } from '../process/proc.js';


/** The path through which this process reaches `target` inside process `pid`'s mount namespace. */
export function containerPath(pid: number, target: string): string {
  return `/proc/${pid}/root${posix.normalize(target)}`.replace(/(.)\/$/, '$1');
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

/** `error` as it concerns process `pid`: ESRCH when the process has gone meanwhile. */
export function unlessGone(pid: number, error: unknown): unknown {
  if (!(error instanceof MountError) || !processGone(pid)) return error;
  return mountError('ESRCH', { syscall: error.syscall, path: error.path, dest: error.dest, reason: procRule.processGone(pid), cause: error });
}
