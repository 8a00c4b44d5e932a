// What a look at another process through /proc can meet, in words: the process is gone (ESRCH), or
// this process may not look (EACCES: /proc/PID/root and /proc/PID/ns need ptrace access).
import { mountError } from '../core/errors.js';

export const procRule = {
  /** The process does not exist, or lives where this process cannot see it (ESRCH). */
  processGone: (pid: number) => `process ${pid} does not exist (it has exited, or it lives in a PID namespace this process cannot see)`,
  /** Reaching into another process's namespace needs ptrace access to it (EACCES). */
  noPtraceAccess: (pid: number) =>
    `reaching into process ${pid}'s mount namespace through /proc/${pid} needs ptrace access to it ` +
    '(the same user, or CAP_SYS_PTRACE over its user namespace)',
} as const;

/** The error for a failed look at /proc/PID: ESRCH when the process is gone, EACCES without ptrace access; others as they are. */
export function procError(pid: number, path: string, error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ESRCH') return mountError('ESRCH', { syscall: 'open', path, reason: procRule.processGone(pid), cause: error });
  if (code === 'EACCES' || code === 'EPERM') return mountError('EACCES', { syscall: 'open', path, reason: procRule.noPtraceAccess(pid), cause: error });
  return error;
}
