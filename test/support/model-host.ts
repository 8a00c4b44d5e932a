// A model namespace standing in for the host a dump is restored on: for each external and tie the
// restore binds from, a mount at its path of a superblock of the dumped type (and read-only state)
// whose tree holds what the live one holds for the dump — the roots of its mounts and the mount
// points made on them, directories or files. A tie's mount is shared, as a live group's member is.
import { ModelNamespace } from '../../src/model/index.js';
import { lookupPath } from '../../src/model/namei.js';
import { parse } from '../../src/mountinfo/parse.js';
import type { LookAtPoint } from '../../src/restore/dump.js';
import { FRESH_SUPERBLOCK_FILESYSTEMS } from '../../src/restore/filesystems.js';
import type { External, Tie } from '../../src/restore/plan.js';
import type { Topology, TopologyMount } from '../../src/restore/topology.js';

/** `path` (absolute) below directory `dir` of the same tree. */
const below = (dir: string, path: string): string => (path === '/' ? dir : dir === '/' ? path : `${dir}${path}`);

/** The places of superblock `key` the dump needs to exist, each with whether it is a file: its roots and the mount points on its mounts. */
function placesIn(topology: Topology, key: string): Map<string, boolean> {
  const byId = new Map(topology.mounts.map((mount) => [mount.id, mount]));
  const places = new Map<string, boolean>();
  for (const mount of topology.mounts) {
    if (mount.superblock === key) places.set(mount.root, mount.file === true);
    const parent = mount.parent === null ? undefined : byId.get(mount.parent);
    if (parent?.superblock !== key || parent.mountPoint === mount.mountPoint) continue;
    const relative = parent.mountPoint === '/' ? mount.mountPoint : mount.mountPoint.slice(parent.mountPoint.length);
    places.set(below(parent.root, relative), mount.file === true);
  }
  return places;
}

/** Makes `path` under `dir` of the model: its directories, then it, a directory or an empty file. */
function make(ns: ModelNamespace, dir: string, path: string, file: boolean): void {
  const full = below(dir, path);
  if (!file) return ns.mkdir(full, { recursive: true });
  ns.mkdir(full.slice(0, full.lastIndexOf('/')) || '/', { recursive: true });
  ns.createFile(full);
}

/** The model's mount at `path` made read-only with its superblock, as a live one mounted read-only is. */
function makeSuperblockReadOnly(ns: ModelNamespace, path: string): void {
  const id = parse(ns.mountinfo()).filter((entry) => entry.mountPoint === path).at(-1)!.id;
  for (const mount of ns.state.mntNs.mounts) if (mount.id === id) mount.sb.readOnly = true;
}

/** The superblock of the dump's mounts tied to `tie`'s group. */
function tiedSuperblock(topology: Topology, tie: Tie): string {
  return topology.mounts.find((mount) => mount.group === tie.group || mount.master === tie.group)!.superblock;
}

/** A model host holding `externals` and `ties` for a restore of `topology`. */
export function modelHost(topology: Topology, externals: readonly External[], ties: readonly Tie[] = []): ModelNamespace {
  const ns = new ModelNamespace({ filesystems: [...new Set([...FRESH_SUPERBLOCK_FILESYSTEMS, ...topology.mounts.map((mount) => mount.fsType)])] });
  const sources = [...externals.map((external) => ({ ...external, shared: false })), ...ties.map((tie) => ({ ...tie, superblock: tiedSuperblock(topology, tie), shared: true }))];
  const wholes = new Map<string, string>();
  for (const key of new Set(sources.map((source) => source.superblock))) {
    const first: TopologyMount = topology.mounts.find((mount) => mount.superblock === key)!;
    const whole = `/.superblocks/${wholes.size}`;
    wholes.set(key, whole);
    ns.mkdir(whole, { recursive: true });
    ns.mount(first.fsType, first.source, whole, { data: first.superOptions.split(',').slice(1).join(',') });
    for (const [place, file] of placesIn(topology, key)) make(ns, whole, place, file);
    if (first.superOptions.split(',')[0] === 'ro') makeSuperblockReadOnly(ns, whole);
  }
  for (const source of sources) {
    ns.mkdir(source.path, { recursive: true });
    ns.bind(below(wholes.get(source.superblock)!, source.root), source.path);
    if (source.shared) ns.changePropagation(source.path, 'shared');
  }
  return ns;
}

/** Externals for every superblock of `topology` a restore does not create afresh, at made-up paths a modelHost() then holds. */
export function madeUpExternals(topology: Topology): External[] {
  const keys = new Set(topology.mounts.filter((mount) => !FRESH_SUPERBLOCK_FILESYSTEMS.has(mount.fsType)).map((mount) => mount.superblock));
  return [...keys].map((superblock, i) => ({ superblock, root: '/', path: `/.externals/${i}` }));
}

/** lstat(2) in the model, as dump's look at a mount point: what a lookup of `path` lands on (the model has no symlinks). */
export function lookInModel(ns: ModelNamespace): LookAtPoint {
  return (path) => {
    try {
      const place = lookupPath(ns.state, path, (code) => {
        throw new Error(code);
      });
      return { file: !place.dentry.isDirectory, superblock: `0:${place.mount.sb.minor}` };
    } catch {
      return undefined;
    }
  };
}
