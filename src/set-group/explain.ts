// After the kernel refuses a set-group, find out why: read the mountinfo of the namespace each side
// lives in and walk set-group's rules in the kernel's order (src/core/set-group-rules.ts). The kernel
// says only EINVAL; the caller deserves to know which rule it broke.
import { existsSync } from 'node:fs';
import type { MountError } from '../core/errors.js';
import { describePropagation, setGroupRule, type Side } from '../core/set-group-rules.js';
import type { PathOrFd } from '../core/validate.js';
import { locate, type Located } from '../process/locate.js';

const procRootPath = /^\/proc\/(\d+|self|thread-self)\/root(\/.*)?$/;

/** Where a side of set-group landed, in any namespace this process can see; undefined if in none. */
function locateSide(place: PathOrFd): Located | undefined {
  const pid = typeof place === 'string' ? procRootPath.exec(place)?.[1] : undefined;
  try {
    return locate(place, pid === undefined || !/^\d+$/.test(pid) ? 'self' : Number(pid), true);
  } catch {
    return undefined;
  }
}

function shown(place: PathOrFd): string {
  return typeof place === 'number' ? `fd ${place}` : place;
}

/** True when `path` is `ancestor` or lies below it. */
function isSubdir(path: string, ancestor: string): boolean {
  return ancestor === '/' || path === ancestor || path.startsWith(`${ancestor}/`);
}

/** The set-group rule an EINVAL broke, walked in do_set_group()'s order; when every rule that mountinfo
 * shows holds, the one left is the rule it cannot show: locked children. */
export function explainSetGroupInvalid(source: PathOrFd, target: PathOrFd): string {
  const from = locateSide(source);
  const to = locateSide(target);
  if (!from) return setGroupRule.notMounted('source');
  if (!to) return setGroupRule.notMounted('target');
  const sides: [Side, PathOrFd, Located][] = [['source', source, from], ['target', target, to]];
  for (const [side, place, found] of sides) {
    if (!found.isRoot) return setGroupRule.notMountRoot(side, shown(place), found.mount.mountPoint);
  }
  const [s, t] = [from.mount, to.mount];
  if (s.major !== t.major || s.minor !== t.minor) {
    return setGroupRule.differentSuperblock(`${s.major}:${s.minor}`, `${t.major}:${t.minor}`);
  }
  if (!isSubdir(t.root, s.root)) return setGroupRule.targetRootOutsideSource(t.root, s.root);
  if (t.shared !== undefined || t.master !== undefined) return setGroupRule.targetNotPrivate(describePropagation(t));
  if (s.shared === undefined && s.master === undefined) return setGroupRule.sourcePrivate();
  return setGroupRule.lockedChildren();
}

/** A side given as a file descriptor that is not open, if any. */
export function closedFd(source: PathOrFd, target: PathOrFd): number | undefined {
  return [source, target].find((place): place is number => typeof place === 'number' && !existsSync(`/proc/self/fd/${place}`));
}

/** A reason for a failed set-group call, when its errno leaves one to name. */
export function explainSetGroupFailure(error: MountError, source: PathOrFd, target: PathOrFd): string | undefined {
  switch (error.code) {
    case 'EINVAL':
      return explainSetGroupInvalid(source, target);
    case 'EPERM':
      return setGroupRule.noCapability();
    case 'ENOENT': {
      const missing = [source, target].find((place) => typeof place === 'string' && !existsSync(place));
      return missing === undefined ? undefined : `'${missing}' does not exist`;
    }
    case 'EACCES': {
      const entered = [source, target].find((place) => typeof place === 'string' && procRootPath.test(place));
      return entered === undefined
        ? undefined
        : `'${entered}' enters another process's root, which needs ptrace access to that process ` +
            '(the same user, or CAP_SYS_PTRACE over its user namespace); pass an fd opened by a process that has it';
    }
    case 'EBADF': {
      const closed = closedFd(source, target);
      return closed === undefined ? undefined : `fd ${closed} is not an open file descriptor`;
    }
    default:
      return undefined;
  }
}
