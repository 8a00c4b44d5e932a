// A process's namespaces, as its /proc/PID/ns links name them ("mnt:[4026531841]"): what tells two
// processes in one mount namespace apart from two in two, and who owns it.
import { readlinkSync } from 'node:fs';
import { procError } from './proc.js';

/** The namespace of `kind` (mnt, user) process `pid` is in, as its /proc link names it. */
export function namespaceOf(pid: number | 'self', kind: 'mnt' | 'user'): string {
  const path = `/proc/${pid}/ns/${kind}`;
  try {
    return readlinkSync(path);
  } catch (error) {
    throw pid === 'self' ? error : procError(pid, path, error);
  }
}

/** A process's mount and user namespaces, as MountProcess.namespaceIds() gives them. */
export function namespaceIdsOf(pid: number | 'self'): { mount: string; user: string } {
  return { mount: namespaceOf(pid, 'mnt'), user: namespaceOf(pid, 'user') };
}
