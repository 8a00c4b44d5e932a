// dump: a mount table (parsed mountinfo) as a topology document, the mounts at or under a directory;
// dumpSet: the mount namespaces of several processes as one document, each namespace once.
import type { MountInfo } from '../mountinfo/types.js';
import type { PointStat } from '../core/place.js';
import { validateDumpArguments } from './arguments.js';
import { isAtOrUnder, lookupLandings, TOPOLOGY_SCHEMA, TOPOLOGY_SET_VERSION, TOPOLOGY_VERSION, type NamespaceTopology, type Topology, type TopologyMount, type TopologySet } from './topology.js';

/** Looks at an absolute mount point of the dumped namespace; undefined where nothing is found. */
export type LookAtPoint = (mountPoint: string) => PointStat | undefined;

/** `path` relative to `dir` ('/' for dir itself). */
function relativeTo(path: string, dir: string): string {
  if (dir === '/') return path;
  return path === dir ? '/' : path.slice(dir.length);
}

function topologyMount(entry: MountInfo, under: string, inDump: Set<number>): TopologyMount {
  return {
    id: entry.id,
    parent: inDump.has(entry.parentId) && entry.parentId !== entry.id ? entry.parentId : null,
    mountPoint: relativeTo(entry.mountPoint, under),
    root: entry.root,
    fsType: entry.fsType,
    source: entry.source,
    superblock: `${entry.major}:${entry.minor}`,
    mountOptions: entry.mountOptions,
    superOptions: entry.superOptions,
    group: entry.shared ?? null,
    master: entry.master ?? null,
    propagateFrom: entry.propagateFrom ?? null,
    unbindable: entry.unbindable,
    // A superblock's root is a directory; any other root is looked at (fillFileTypes).
    file: entry.root === '/' ? false : null,
  };
}

/** Whether `top` is `mount` or stacked on it at the same mount point (then both are files, or neither). */
function stackedOn(top: TopologyMount, mount: TopologyMount, byId: ReadonlyMap<number, TopologyMount>): boolean {
  for (let at: TopologyMount | undefined = top; at && at.mountPoint === mount.mountPoint; at = at.parent === null ? undefined : byId.get(at.parent)) {
    if (at === mount) return true;
  }
  return false;
}

/**
 * Whether each mount is a file, where `look` can tell: a lookup of its mount point lands on it, or on
 * a mount stacked on it, and finds that mount's superblock. A mount covered from above is not
 * reached by its mount point, and stays unknown.
 */
function fillFileTypes(mounts: TopologyMount[], under: string, look: LookAtPoint): void {
  const landed = lookupLandings(mounts);
  const byId = new Map(mounts.map((mount) => [mount.id, mount]));
  const seen = new Map<string, PointStat | undefined>();
  for (const mount of mounts) {
    if (mount.file !== null) continue;
    const top = landed.get(mount.mountPoint);
    if (!top || !stackedOn(top, mount, byId)) continue;
    const absolute = under === '/' ? mount.mountPoint : mount.mountPoint === '/' ? under : `${under}${mount.mountPoint}`;
    if (!seen.has(absolute)) seen.set(absolute, look(absolute));
    const found = seen.get(absolute);
    if (found?.superblock === top.superblock) mount.file = found.file;
  }
}

/**
 * The topology of the mounts at or under `under` (an absolute, normalized directory). With `look`
 * (a view of the dumped namespace's files), each mount records whether it is a file.
 */
export function dump(entries: readonly MountInfo[], under = '/', look?: LookAtPoint): Topology {
  validateDumpArguments(entries, under);
  const kept = entries.filter((entry) => isAtOrUnder(entry.mountPoint, under));
  const inDump = new Set(kept.map((entry) => entry.id));
  const mounts = kept.map((entry) => topologyMount(entry, under, inDump));
  if (look) fillFileTypes(mounts, under, look);
  return { schema: TOPOLOGY_SCHEMA, version: TOPOLOGY_VERSION, under, mounts };
}

/** A process whose mount namespace a set dump holds: what the set calls it, its namespaces, its mount table, and a look at its files. */
export interface DumpedProcess {
  /** The namespace's name in the document, when this process is the first of it named. */
  name: string;
  /** Its mount and user namespaces, as /proc/PID/ns/mnt and /proc/PID/ns/user name them. */
  namespaceIds: { mount: string; user: string };
  /** Its mountinfo, parsed: the namespace as this process sees it. */
  entries: readonly MountInfo[];
  look?: LookAtPoint;
}

/**
 * The set of the mount namespaces `processes` are in, each once (named after the first process in
 * it), with the mounts at or under `under` in each. A namespace owned by `ownUser` (the dumping
 * process's user namespace) records user null; the others record their user namespace as `u1`,
 * `u2`..., one name per user namespace. Ids and peer groups are the kernel's, system-wide: a group
 * with members in several namespaces stays one group.
 */
export function dumpSet(processes: readonly DumpedProcess[], options: { under?: string; ownUser: string }): TopologySet {
  const under = options.under ?? '/';
  const users = new Map<string, string>();
  const namespaces = new Map<string, NamespaceTopology>();
  for (const process of processes) {
    const { mount, user } = process.namespaceIds;
    if (namespaces.has(mount)) continue;
    if (user !== options.ownUser && !users.has(user)) users.set(user, `u${users.size + 1}`);
    const { mounts } = dump(process.entries, under, process.look);
    namespaces.set(mount, { name: process.name, user: user === options.ownUser ? null : users.get(user)!, under, mounts });
  }
  return { schema: TOPOLOGY_SCHEMA, version: TOPOLOGY_SET_VERSION, namespaces: [...namespaces.values()] };
}
