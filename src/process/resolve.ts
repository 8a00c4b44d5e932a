// Path resolution that a less trusted writer cannot redirect: openat2(2) into O_PATH file
// descriptors, relative to a directory already held, so that a check and the call it guards act on
// the same object (no check of a name followed by a use of the name, which a symlink swapped in
// between would redirect: runc's CVE-2021-30465). Two scopes:
// - beneath a directory (restore): no symbolic link is followed, and nothing leads out of it;
// - inside a process's root (attach): symbolic links are followed as that process would follow
//   them, '..' and absolute links stopping at its root, and no /proc magic link is followed.
// There is no fallback to resolving names: without openat2 (Linux < 5.6) these fail with ENOSYS.
import { lstatSync, readlinkSync } from 'node:fs';
import { release } from 'node:os';
import { mountError, MountError } from '../core/errors.js';
import * as sys from '../native/syscalls.js';

/** How many times a resolution is retried when the kernel saw a rename or mount race by (EAGAIN). */
const RACE_RETRIES = 16;

export type Scope = 'beneath' | 'in-root';

function resolveFlags(scope: Scope): number {
  const c = sys.addon().constants;
  return scope === 'beneath' ? c.RESOLVE_BENEATH | c.RESOLVE_NO_SYMLINKS : c.RESOLVE_IN_ROOT | c.RESOLVE_NO_MAGICLINKS;
}

/** openat2(dirfd, path, O_PATH) in `scope`, retried while the kernel reports a concurrent rename or mount (EAGAIN). */
function openat2(dirfd: number, path: string, scope: Scope, shown: string): number {
  const { O_PATH, O_CLOEXEC } = sys.addon().constants;
  for (let attempt = 0; ; attempt++) {
    try {
      return sys.openat2(dirfd, path, O_PATH | O_CLOEXEC, resolveFlags(scope), shown);
    } catch (error) {
      if (!(error instanceof MountError) || error.code !== 'EAGAIN' || attempt === RACE_RETRIES) throw error;
    }
  }
}

/** The components of a relative path that move a walk. */
function componentsOf(path: string): string[] {
  return path.split('/').filter((part) => part !== '' && part !== '.');
}

/** `shown` joined with the first `count` components of `path`. */
function shownPrefix(shown: string, path: string, count: number): string {
  const base = shown.slice(0, shown.length - path.length).replace(/\/$/, '');
  return `${base}/${componentsOf(path).slice(0, count).join('/')}`;
}

/**
 * The first component of `path` (from `dirfd`) that is a symbolic link, as `shown` names it, with
 * what it points to; undefined when none is (the link went away meanwhile). For messages only: the
 * link is found by walking one component at a time with symlinks refused, and read by name.
 */
export function firstSymlink(dirfd: number, path: string, shown: string): string | undefined {
  const parts = componentsOf(path);
  let at = dirfd;
  try {
    for (let i = 0; i < parts.length; i++) {
      let next;
      try {
        next = openat2(at, parts[i]!, 'beneath', shown);
      } catch (error) {
        if (!(error instanceof MountError) || error.code !== 'ELOOP') return undefined;
        const link = shownPrefix(shown, path, i + 1);
        let target = '';
        try {
          target = ` (to '${readlinkSync(`/proc/self/fd/${at}/${parts[i]}`)}')`;
        } catch {
          // gone meanwhile: the name is enough
        }
        return `'${link}' is a symbolic link${target}`;
      }
      if (at !== dirfd) sys.close(at);
      at = next;
    }
    return undefined;
  } finally {
    if (at !== dirfd) sys.close(at);
  }
}

/** "'P' is a symbolic link to 'T'" when the last component of `path` is a link (for messages: read by name, after the fact). */
export function finalLink(path: string): string | undefined {
  try {
    return lstatSync(path).isSymbolicLink() ? `'${path}' is a symbolic link to '${readlinkSync(path)}'` : undefined;
  } catch {
    return undefined;
  }
}

/** The error for a failed resolution, with the rule it met in words. */
function explained(error: MountError, dirfd: number, path: string, scope: Scope, shown: string): MountError {
  const reasons: Record<string, (() => string | undefined) | undefined> = {
    ENOSYS: () =>
      `openat2(2) is not available (kernel ${release()}: it needs Linux >= 5.6, and no seccomp filter refusing it); restore and ` +
      'attach resolve every path they act on with it, with no fallback to resolving names',
    ELOOP: () => {
      const link = scope === 'beneath' ? firstSymlink(dirfd, path, shown) : undefined;
      return link && `${link}; a path resolved beneath a directory never follows one`;
    },
    EXDEV: () => `'${shown}' leads out of the directory it is resolved beneath`,
  };
  const reason = reasons[error.code]?.();
  return reason === undefined ? error : mountError(error.code, { syscall: error.syscall, path: shown, reason, cause: error });
}

/**
 * An O_PATH fd of what `path` (relative) names beneath the directory `dirfd` holds: each component
 * crossed onto what is mounted on it, none a symbolic link (ELOOP, naming the link), none leading
 * out of it (EXDEV). `shown` is the path errors name.
 */
export function openBeneath(dirfd: number, path: string, shown: string): number {
  try {
    return openat2(dirfd, path, 'beneath', shown);
  } catch (error) {
    throw error instanceof MountError ? explained(error, dirfd, path, 'beneath', shown) : error;
  }
}

/**
 * An O_PATH fd of what `path` names inside the root `rootfd` holds (a process's /proc/PID/root):
 * symbolic links followed as that process would follow them, absolute ones and '..' stopping at
 * its root, no /proc magic link followed.
 */
export function openInRoot(rootfd: number, path: string, shown: string): number {
  try {
    return openat2(rootfd, path.replace(/^\/+/, '') || '.', 'in-root', shown);
  } catch (error) {
    throw error instanceof MountError ? explained(error, rootfd, path, 'in-root', shown) : error;
  }
}
