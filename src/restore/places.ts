// Where a restore builds, decided before its first syscall: the mounts that hold --into and the
// staging directory, and what their propagation means for the mounts the restore makes there.
//
// - A mount made under a shared mount propagates to the peers (and slaves) of that mount, and
//   becomes shared itself, which would both spread the restore into other namespaces and break the
//   topology (set-group takes only private targets). Under a slave it propagates nowhere, but what
//   its master receives arrives. So when --into lies in a shared or slave mount, the restore first
//   binds --into onto itself and makes that bind private ("holds" it): everything after is mounted
//   on a private mount. The bind is the one mount the peers of a shared mount receive, and it shows
//   them the same directory they saw.
// - The staging tmpfs is made private right after it is mounted (plan.ts), before anything goes in
//   it; where the staging directory lies in a shared mount, its peers see the empty tmpfs until the
//   restore ends.
// - Refused up front: --into or the staging directory reached through a symbolic link (ELOOP), an
//   --into or staging directory that is already a mount point (a restore is there already), and an
//   --into that already holds a name where the topology's mounts hang from --into itself.
//
// These are looks, not guards: the restore resolves every path again, through held places
// (apply.ts), so that what is looked at here cannot be swapped under what is done.
import { lstatSync, readlinkSync } from 'node:fs';
import { mountError } from '../core/errors.js';
import type { MountNamespace } from '../core/namespace.js';
import { describePropagation } from '../core/set-group-rules.js';
import { parse } from '../mountinfo/parse.js';
import type { MountInfo } from '../mountinfo/types.js';
import { isAtOrUnder, type Topology } from './topology.js';

/** What is at a path now, looked at without following a link. */
export type Look = { kind: 'missing' } | { kind: 'directory' | 'other' } | { kind: 'symlink'; target: string };

/** What the restore found at one of its places, and what it will do about it. */
export interface PlaceDecision {
  path: string;
  /** The mount the path lies in (its mount point, id and propagation as mountinfo shows them). */
  mount: { id: number; mountPoint: string; propagation: string };
  /** For --into: build on a private bind of it onto itself. */
  hold: boolean;
  /** The decision in a sentence, as --dry-run prints it. */
  note: string;
}

export interface Places {
  into: PlaceDecision;
  staging: PlaceDecision;
  /** Why the restore must not start; empty when it may. */
  problems: string[];
}

/** How the places are looked at: lstat(2) on the kernel; lookups on a model (which has no links). */
export function lookerFor(ns: MountNamespace): (path: string) => Look {
  if (ns.backend === 'kernel') return lookOnDisk;
  return (path) => {
    try {
      ns.unpin(ns.pin(path));
      return { kind: 'directory' };
    } catch {
      return { kind: 'missing' };
    }
  };
}

function lookOnDisk(path: string): Look {
  let stats;
  try {
    stats = lstatSync(path, { throwIfNoEntry: false });
  } catch {
    return { kind: 'missing' }; // under a non-directory: the step that needs it fails on its own
  }
  if (stats === undefined) return { kind: 'missing' };
  if (stats.isSymbolicLink()) {
    let target = '?';
    try {
      target = readlinkSync(path);
    } catch {
      // gone meanwhile
    }
    return { kind: 'symlink', target };
  }
  return { kind: stats.isDirectory() ? 'directory' : 'other' };
}

/** The proper prefixes of an absolute path and the path itself, shortest first ('/a', '/a/b'). */
function prefixesOf(path: string): string[] {
  const parts = path.split('/').filter(Boolean);
  return parts.map((_, i) => `/${parts.slice(0, i + 1).join('/')}`);
}

/** Refuses a place reached through a symbolic link, as the restore would at its first step (ELOOP). */
function refuseLinks(place: string, look: (path: string) => Look): void {
  for (const prefix of prefixesOf(place)) {
    const found = look(prefix);
    if (found.kind === 'symlink') {
      throw mountError('ELOOP', { syscall: 'restore', path: place, reason: `'${prefix}' is a symbolic link (to '${found.target}'); a restore never follows one` });
    }
    if (found.kind === 'missing') return;
  }
}

/** The mount a walk of `path` lands on, after mountinfo: from the namespace root, onto the topmost mount at each prefix. */
export function mountHolding(entries: readonly MountInfo[], path: string): MountInfo {
  const ids = new Set(entries.map((entry) => entry.id));
  const children = new Map<number, MountInfo[]>();
  for (const entry of entries) children.set(entry.parentId, [...(children.get(entry.parentId) ?? []), entry]);
  const onTop = (mount: MountInfo, point: string): MountInfo => {
    let top = mount;
    for (let over = children.get(top.id)?.find((c) => c.mountPoint === point && c.id !== top.id); over; over = children.get(top.id)?.find((c) => c.mountPoint === point && c.id !== top.id)) top = over;
    return top;
  };
  const root = entries.find((entry) => entry.mountPoint === '/' && (!ids.has(entry.parentId) || entry.parentId === entry.id)) ?? entries[0]!;
  let mount = onTop(root, '/');
  for (const prefix of prefixesOf(path)) {
    const child = children.get(mount.id)?.find((c) => c.mountPoint === prefix);
    if (child) mount = onTop(child, prefix);
  }
  return mount;
}

/** A mount as the notes name it. */
function described(mount: MountInfo): PlaceDecision['mount'] {
  return { id: mount.id, mountPoint: mount.mountPoint, propagation: describePropagation(mount) };
}

function intoDecision(into: string, mount: MountInfo): PlaceDecision {
  const where = `--into ${into} lies in the mount at ${mount.mountPoint}, which is ${describePropagation(mount)}`;
  if (mount.shared !== undefined) {
    return {
      path: into, mount: described(mount), hold: true,
      note: `${where}: the restore first binds --into onto itself and makes that bind private, so that nothing it mounts ` +
        "propagates to that mount's peers (they receive the bind alone, showing the directory they already see)",
    };
  }
  if (mount.master !== undefined) {
    return {
      path: into, mount: described(mount), hold: true,
      note: `${where}: the restore first binds --into onto itself and makes that bind private, so that nothing the master mounts reaches the restored tree`,
    };
  }
  return { path: into, mount: described(mount), hold: false, note: `${where}: the restore builds there` };
}

function stagingDecision(staging: string, mount: MountInfo): PlaceDecision {
  const where = `the staging directory ${staging} lies in the mount at ${mount.mountPoint}, which is ${describePropagation(mount)}`;
  const peers = mount.shared !== undefined ? "; until the restore ends, that mount's peers see the staging tmpfs, empty" : '';
  return { path: staging, mount: described(mount), hold: false, note: `${where}: the staging tmpfs is made private before anything is put in it${peers}` };
}

/** The names in --into itself that the topology's mounts need free: the first components of the mount points of mounts that hang from --into. */
function namesNeeded(topology: Topology): Map<string, string> {
  const needed = new Map<string, string>();
  for (const mount of topology.mounts) {
    if (mount.parent !== null || mount.mountPoint === '/') continue;
    const name = mount.mountPoint.split('/')[1]!;
    if (!needed.has(name)) needed.set(name, mount.mountPoint);
  }
  return needed;
}

function alreadyMounted(what: string, path: string, entry: MountInfo): string {
  return (
    `${what} '${path}' is already a mount point (mount ${entry.id}: ${entry.fsType} ${entry.source}): a restore is there already, ` +
    `or something else is mounted on it; unmount it first (umount -R ${path}, again until nothing is mounted there: a restore into a ` +
    'shared or slave mount sits on a bind of --into onto itself) or name a new directory'
  );
}

/**
 * Looks at --into and the staging directory as they are now: throws ELOOP when either is reached
 * through a symbolic link; returns what the restore will do there, and why it must not start.
 */
export function examinePlaces(ns: MountNamespace, topology: Topology, places: { into: string; staging: string }, look = lookerFor(ns)): Places {
  const { into, staging } = places;
  refuseLinks(into, look);
  refuseLinks(staging, look);
  const entries = parse(ns.mountinfo());
  const problems: string[] = [];
  for (const [what, path] of [['--into', into], ['the staging directory', staging]] as const) {
    const mounted = entries.find((entry) => entry.mountPoint === path);
    if (mounted) problems.push(alreadyMounted(what, path, mounted));
  }
  for (const [name, mountPoint] of namesNeeded(topology)) {
    const found = look(`${into}/${name}`);
    if (found.kind === 'missing') continue;
    const link = found.kind === 'symlink' ? ` (a symbolic link to '${found.target}')` : '';
    problems.push(`--into '${into}' already holds '${name}'${link}, where the mount at '${mountPoint}' goes: restore into an empty directory`);
  }
  return { into: intoDecision(into, mountHolding(entries, into)), staging: stagingDecision(staging, mountHolding(entries, staging)), problems };
}

/** The private bind a held --into lies on, among mounts read after the restore: the mount at --into whose parent lies outside it. */
export function holderIn(entries: readonly MountInfo[], into: string): MountInfo | undefined {
  const inside = new Set(entries.filter((entry) => isAtOrUnder(entry.mountPoint, into)).map((entry) => entry.id));
  return entries.find((entry) => entry.mountPoint === into && !inside.has(entry.parentId));
}
