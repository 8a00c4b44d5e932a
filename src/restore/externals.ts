// Where the namespace a restore runs in shows the superblocks a dump needs from outside: the mounts
// that could be named with --external, found in its mountinfo. A restore never picks one by itself
// (a bind of the wrong mount would restore something else); the plan's problems suggest them.
import type { MountInfo } from '../mountinfo/types.js';
import { makesFreshSuperblock } from './filesystems.js';
import type { External } from './plan.js';
import { isAtOrUnder, type Topology } from './topology.js';

/** Whether a superblock's options (mountinfo field 11) make it read-only. */
const readOnly = (superOptions: string): boolean => superOptions.split(',')[0] === 'ro';

/**
 * For each superblock of `topology` that a restore does not create afresh, a mount of this
 * namespace (outside the `excluded` directories) that holds every root the dump shows of it, the
 * one with the widest root; with what it shows of the superblock (type, read-only).
 */
export function externalsIn(entries: readonly MountInfo[], topology: Topology, excluded: readonly string[] = []): External[] {
  const wanted = new Map<string, string[]>();
  for (const mount of topology.mounts) {
    if (makesFreshSuperblock(mount.fsType)) continue;
    wanted.set(mount.superblock, [...(wanted.get(mount.superblock) ?? []), mount.root]);
  }
  const found = new Map<string, MountInfo>();
  for (const entry of entries) {
    const key = `${entry.major}:${entry.minor}`;
    const roots = wanted.get(key);
    if (!roots || excluded.some((dir) => isAtOrUnder(entry.mountPoint, dir))) continue;
    if (!roots.every((root) => isAtOrUnder(root, entry.root))) continue;
    const best = found.get(key);
    if (!best || entry.root.length < best.root.length) found.set(key, entry);
  }
  return [...found].map(([superblock, entry]) => ({
    superblock, root: entry.root, path: entry.mountPoint, fsType: entry.fsType, readOnly: readOnly(entry.superOptions),
  }));
}

/** How an external is named on restore's command line. */
export function externalOption(external: External): string {
  return `--external ${external.superblock}${external.root === '/' ? '' : `:${external.root}`}=${external.path}`;
}
