// After the kernel refuses a set-group, find out why: read the mountinfo of the namespace each side
// lives in and walk set-group's rules in the kernel's order (src/core/set-group-rules.ts). The kernel
// says only EINVAL or EPERM; the caller deserves to know which rule it broke.
import { existsSync } from 'node:fs';
import type { MountError } from '../core/errors.js';
import { procPath, type PathOrFd } from '../core/place.js';
import { ruleBehindRefusal, type SetGroupCall, type SetGroupSide } from '../core/set-group-rules.js';
import { mayMount } from '../process/capabilities.js';
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

/** What set-group's rules look at of one side, as mountinfo shows the mount it landed on. */
function setGroupSide(place: PathOrFd, found: Located | undefined): SetGroupSide {
  if (found === undefined) return { shown: shown(place), mounted: false, isRoot: false, mountPoint: () => '', superblock: '', root: '' };
  const { mount, isRoot } = found;
  const side: SetGroupSide = {
    shown: shown(place),
    mounted: true,
    isRoot,
    mountPoint: () => mount.mountPoint,
    superblock: `${mount.major}:${mount.minor}`,
    root: mount.root,
  };
  if (mount.shared !== undefined) side.shared = mount.shared;
  if (mount.master !== undefined) side.master = mount.master;
  return side;
}

/**
 * The set-group rule a refusal with errno `code` broke, walked in the kernel's order over what
 * mountinfo shows of both sides (core/set-group-rules.ts): capabilities over other namespaces and
 * locked mounts do not show there, so an EPERM or EINVAL that every visible rule explains away is
 * put down to them.
 */
function explainRuleBroken(code: string, source: PathOrFd, target: PathOrFd, held: [PathOrFd, PathOrFd]): string | undefined {
  const call: SetGroupCall = {
    source: setGroupSide(source, locateSide(held[0])),
    target: setGroupSide(target, locateSide(held[1])),
    callerMayMount: mayMount(),
  };
  return ruleBehindRefusal(code, call)?.reason(call);
}

/** A side given as a file descriptor that is not open, if any. */
export function closedFd(source: PathOrFd, target: PathOrFd): number | undefined {
  return [source, target].find((place): place is number => typeof place === 'number' && !existsSync(procPath(place)));
}

/**
 * A reason for a failed set-group call, when its errno leaves one to name; `held` are the places
 * the call acted on (the fds it opened the paths as), looked up for the rules, while the reason
 * names `source` and `target` as given.
 */
export function explainSetGroupFailure(error: MountError, source: PathOrFd, target: PathOrFd, held: [PathOrFd, PathOrFd] = [source, target]): string | undefined {
  switch (error.code) {
    case 'EINVAL':
    case 'EPERM':
      return explainRuleBroken(error.code, source, target, held);
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
    case 'ELOOP':
      return 'a symbolic link on the way leads back to itself';
    case 'EBADF': {
      const closed = closedFd(source, target);
      return closed === undefined ? undefined : `fd ${closed} is not an open file descriptor`;
    }
    default:
      return undefined;
  }
}
