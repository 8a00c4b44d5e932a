// dump: a mount table (parsed mountinfo) as a topology document, the mounts at or under a directory.
import type { MountInfo } from '../mountinfo/types.js';
import { validateDumpArguments } from './arguments.js';
import { isAtOrUnder, TOPOLOGY_SCHEMA, TOPOLOGY_VERSION, type Topology, type TopologyMount } from './topology.js';

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
  };
}

/** The topology of the mounts at or under `under` (an absolute, normalized directory). */
export function dump(entries: readonly MountInfo[], under = '/'): Topology {
  validateDumpArguments(entries, under);
  const kept = entries.filter((entry) => isAtOrUnder(entry.mountPoint, under));
  const inDump = new Set(kept.map((entry) => entry.id));
  return { schema: TOPOLOGY_SCHEMA, version: TOPOLOGY_VERSION, under, mounts: kept.map((entry) => topologyMount(entry, under, inDump)) };
}
