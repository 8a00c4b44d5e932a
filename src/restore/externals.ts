// Where the namespace a restore runs in shows what a dump needs from outside: the mounts that could
// be named with --external (superblocks a restore does not create afresh) and with --tie (members
// of the live peer groups the dump's mounts are slaves of), found in its mountinfo. A restore never
// picks one by itself (a bind of the wrong mount would restore something else); the CLI offers them
// as hints when the plan lacks them.
import type { MountInfo } from '../mountinfo/types.js';
import { makesFreshSuperblock } from './filesystems.js';
import type { External, Tie } from './plan.js';
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

/**
 * For each peer group the dump's mounts are slaves of and that has no member in the dump, a shared
 * mount of this namespace (outside the `excluded` directories) in that group whose root holds the
 * roots of the mounts tied to it, the widest root there is.
 */
export function tiesIn(entries: readonly MountInfo[], topology: Topology, excluded: readonly string[] = []): Tie[] {
  const inDump = new Set(topology.mounts.flatMap((mount) => (mount.group === null ? [] : [mount.group])));
  const wanted = new Map<number, string[]>();
  for (const mount of topology.mounts) {
    if (mount.master === null || inDump.has(mount.master)) continue;
    wanted.set(mount.master, [...(wanted.get(mount.master) ?? []), mount.root]);
  }
  const found = new Map<number, MountInfo>();
  for (const entry of entries) {
    const roots = entry.shared === undefined ? undefined : wanted.get(entry.shared);
    if (!roots || excluded.some((dir) => isAtOrUnder(entry.mountPoint, dir))) continue;
    if (!roots.every((root) => isAtOrUnder(root, entry.root))) continue;
    const best = found.get(entry.shared!);
    if (!best || entry.root.length < best.root.length) found.set(entry.shared!, entry);
  }
  return [...found].map(([group, entry]) => ({ group, path: entry.mountPoint, root: entry.root }));
}
