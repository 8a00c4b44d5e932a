// After the kernel refuses a set-group, find out why: read the mountinfo of the namespace each side
// lives in and walk set-group's rules in the kernel's order (src/set-group-rules.ts). The kernel
// says only EINVAL; the caller deserves to know which rule it broke.
import { existsSync, readdirSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { posix } from 'node:path';
import type { MountError } from '../errors.js';
import { parse } from '../mountinfo/parse.js';
import type { MountInfo } from '../mountinfo/types.js';
import { setGroupRule, type Side } from '../set-group-rules.js';
import type { PathOrFd } from '../validate.js';

/** Where a path or fd landed: the mount it resolved to and whether it named that mount's root. */
interface Located {
  shown: string;
  mount?: MountInfo;
  isRoot: boolean;
}

const procRootPath = /^\/proc\/(\d+|self|thread-self)\/root(\/.*)?$/;

function readMountinfo(file: string): MountInfo[] {
  try {
    return parse(readFileSync(file, 'utf8'));
  } catch {
    return [];
  }
}

/** The mount stacked highest at `mountPoint` on `parent` (the one a path lookup lands on). */
function topMountAt(entries: MountInfo[], parent: MountInfo, mountPoint: string): MountInfo | undefined {
  let top = entries.find((e) => e.parentId === parent.id && e.id !== parent.id && e.mountPoint === mountPoint);
  for (let over = top; over; ) {
    top = over;
    over = entries.find((e) => e.parentId === top!.id && e.mountPoint === mountPoint);
  }
  return top;
}

/** The namespace root: the bottom mount at '/' whose parent is outside the list, then what covers it. */
function namespaceRoot(entries: MountInfo[]): MountInfo | undefined {
  const ids = new Set(entries.map((e) => e.id));
  const bottom = entries.find((e) => e.mountPoint === '/' && (!ids.has(e.parentId) || e.parentId === e.id));
  return bottom && (topMountAt(entries, bottom, '/') ?? bottom);
}

/** The mount a path lookup of `path` lands on, component by component as the kernel walks. */
function mountOfPath(entries: MountInfo[], path: string): MountInfo | undefined {
  let mount = namespaceRoot(entries);
  const parts = path.split('/').filter(Boolean);
  for (let i = 1; mount && i <= parts.length; i++) {
    mount = topMountAt(entries, mount, `/${parts.slice(0, i).join('/')}`) ?? mount;
  }
  return mount;
}

function locatePath(path: string): Located {
  const inProc = procRootPath.exec(path);
  const [file, inner] = inProc
    ? [`/proc/${inProc[1]}/mountinfo`, posix.normalize(inProc[2] ?? '/')]
    : ['/proc/self/mountinfo', existsSync(path) ? realpathSync(path) : posix.resolve(path)];
  const mount = mountOfPath(readMountinfo(file), inner);
  return { shown: path, mount, isRoot: mount?.mountPoint === inner };
}

/** Every mount namespace's mountinfo, this process's first (a mount id is unique system-wide). */
function* allMountinfos(): Generator<MountInfo[]> {
  yield readMountinfo('/proc/self/mountinfo');
  const seen = new Set<string>();
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const ns = readlinkSync(`/proc/${pid}/ns/mnt`);
      if (seen.has(ns)) continue;
      seen.add(ns);
      yield readMountinfo(`/proc/${pid}/mountinfo`);
    } catch {
      // The process is gone or not ours to read.
    }
  }
}

function locateFd(fd: number): Located {
  const shown = `fd ${fd}`;
  const mountId = /^mnt_id:\s*(\d+)$/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))?.[1];
  const fdPath = readlinkSync(`/proc/self/fd/${fd}`);
  for (const entries of allMountinfos()) {
    const mount = entries.find((e) => String(e.id) === mountId);
    if (mount) return { shown, mount, isRoot: mount.mountPoint === fdPath };
  }
  return { shown, isRoot: false };
}

function locate(place: PathOrFd): Located {
  try {
    return typeof place === 'number' ? locateFd(place) : locatePath(place);
  } catch {
    return { shown: String(place), isRoot: false };
  }
}

/** True when `path` is `ancestor` or lies below it. */
function isSubdir(path: string, ancestor: string): boolean {
  return ancestor === '/' || path === ancestor || path.startsWith(`${ancestor}/`);
}

function propagationState(mount: MountInfo): string {
  const states = [];
  if (mount.shared !== undefined) states.push(`shared (shared:${mount.shared})`);
  if (mount.master !== undefined) states.push(`a slave (master:${mount.master})`);
  return states.join(' and ');
}

/** The set-group rule an EINVAL broke, walked in do_set_group()'s order; when every rule that mountinfo
 * shows holds, the one left is the rule it cannot show: locked children. */
export function explainSetGroupInvalid(source: PathOrFd, target: PathOrFd): string {
  const from = locate(source);
  const to = locate(target);
  const sides: [Side, Located][] = [['source', from], ['target', to]];
  for (const [side, place] of sides) if (!place.mount) return setGroupRule.notMounted(side);
  for (const [side, place] of sides) {
    if (!place.isRoot) return setGroupRule.notMountRoot(side, place.shown, place.mount!.mountPoint);
  }
  const [s, t] = [from.mount!, to.mount!];
  if (s.major !== t.major || s.minor !== t.minor) {
    return setGroupRule.differentSuperblock(`${s.major}:${s.minor}`, `${t.major}:${t.minor}`);
  }
  if (!isSubdir(t.root, s.root)) return setGroupRule.targetRootOutsideSource(t.root, s.root);
  if (t.shared !== undefined || t.master !== undefined) return setGroupRule.targetNotPrivate(propagationState(t));
  if (s.shared === undefined && s.master === undefined) return setGroupRule.sourcePrivate();
  return setGroupRule.lockedChildren();
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
      const closed = [source, target].find((place) => typeof place === 'number' && !existsSync(`/proc/self/fd/${place}`));
      return closed === undefined ? undefined : `fd ${closed} is not an open file descriptor`;
    }
    default:
      return undefined;
  }
}
