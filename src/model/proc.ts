// /proc/PID/mountinfo of the model: show_mountinfo() (fs/proc_namespace.c) for every mount of the
// namespace, in the order of the namespace's table (creation order, as Linux >= 6.8 lists them),
// as a process whose root is the namespace's root reads it.
import { dentryPath, pathBelow } from './dcache.js';
import { getDominatingId } from './pnode.js';
import { isShared, isSlave, isUnbindable } from './predicates.js';
import type { MountInfo } from '../mountinfo/types.js';
import {
  MNT_NOATIME,
  MNT_NODEV,
  MNT_NODIRATIME,
  MNT_NOEXEC,
  MNT_NOSUID,
  MNT_NOSYMFOLLOW,
  MNT_READONLY,
  MNT_RELATIME,
  type MntNamespace,
  type Mount,
} from './types.js';

/** The paths of mount points, each computed once from its parent's. */
export class MountPointPaths {
  private readonly known = new Map<Mount, string>();

  constructor(root: Mount) {
    this.known.set(root, '/');
  }

  /** d_path() of the root of `m`, seen from the process root (which is the namespace root's root). */
  of(m: Mount): string {
    const chain: Mount[] = [];
    let p = m;
    let path = this.known.get(p);
    while (path === undefined) {
      chain.push(p);
      p = p.parent!;
      path = this.known.get(p);
    }
    for (let i = chain.length - 1; i >= 0; i--) {
      const child = chain[i]!;
      const below = pathBelow(child.mountpoint!, child.parent!.root);
      path = path === '/' ? below || '/' : path + below;
      this.known.set(child, path);
    }
    return path;
  }
}

/** show_vfsmnt_opts()'s table: the per-mount flags mountinfo names, in its order. */
const mntOpts: readonly (readonly [number, string])[] = [
  [MNT_NOSUID, 'nosuid'],
  [MNT_NODEV, 'nodev'],
  [MNT_NOEXEC, 'noexec'],
  [MNT_NOATIME, 'noatime'],
  [MNT_NODIRATIME, 'nodiratime'],
  [MNT_RELATIME, 'relatime'],
  [MNT_NOSYMFOLLOW, 'nosymfollow'],
];

/** Mountinfo field 6: the mount's own read-only state (MNT_READONLY, not its superblock's), then show_vfsmnt_opts(). */
function mountOptions(m: Mount): string {
  let options = m.mntFlags & MNT_READONLY ? 'ro' : 'rw';
  for (const [flag, name] of mntOpts) if (m.mntFlags & flag) options += `,${name}`;
  return options;
}

/** Mountinfo field 11: the superblock's read-only state and the data it was mounted with. */
function superOptions(m: Mount): string {
  const state = m.sb.readOnly ? 'ro' : 'rw';
  return m.sb.data === '' ? state : `${state},${m.sb.data}`;
}

/**
 * show_mountinfo() of one mount. propagate_from: names the nearest group up the chain of masters
 * with a member in the reader's namespace, when the master's group has none there (a master in
 * another namespace).
 */
function showMountinfo(m: Mount, paths: MountPointPaths): MountInfo {
  const entry: MountInfo = {
    id: m.id,
    parentId: (m.parent ?? m).id,
    major: 0,
    minor: m.sb.minor,
    root: dentryPath(m.root),
    mountPoint: paths.of(m),
    mountOptions: mountOptions(m),
    unbindable: isUnbindable(m),
    otherOptional: [],
    fsType: m.sb.fsType,
    source: m.source === '' ? 'none' : m.source,
    superOptions: superOptions(m),
  };
  if (isShared(m)) entry.shared = m.groupId;
  if (isSlave(m)) {
    const master = m.master!.groupId;
    const dominating = getDominatingId(m);
    entry.master = master;
    if (dominating !== 0 && dominating !== master) entry.propagateFrom = dominating;
  }
  return entry;
}

/** The namespace's mountinfo entries, in the kernel's order. */
export function mountinfoEntries(ns: MntNamespace): MountInfo[] {
  const paths = new MountPointPaths(ns.root);
  const entries: MountInfo[] = [];
  for (const m of ns.mounts) entries.push(showMountinfo(m, paths));
  return entries;
}
