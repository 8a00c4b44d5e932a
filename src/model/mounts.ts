// Attaching and detaching mount trees: attach_recursive_mnt(), umount_tree() and their helpers in
// fs/namespace.c. These are commit steps: the syscalls (syscalls.ts) run them only after every
// check that could refuse the operation has passed, so they never fail.
import { setMntShared } from './clone.js';
import { addPeerAfter, addSlaveBehind } from './lists.js';
import { changeMntPropagation, makeUnmountedPrivate, moveFromNamespace, propagateMnt, propagateUmount } from './pnode.js';
import { propagateUmount as propagateUmount612 } from './pnode-6.12.js';
import { hasParent, isShared, isSlave } from './predicates.js';
import {
  hideFromParent,
  lookupMnt,
  makeVisible,
  mntChangeMountpoint,
  mntSetMountpoint,
  mountTree,
  nextMnt,
  skipMntTree,
  topmostOvermount,
  umountMnt,
} from './tree.js';
import { InvariantError } from '../core/errors.js';
import type { Propagation } from '../core/namespace.js';
import type { Dentry, MntNamespace, Mount, Path } from './types.js';

/** where_to_mount(): a new mount goes on top of whatever is already mounted at `path`. */
export function whereToMount(path: Path): Path {
  const over = lookupMnt(path.mount, path.dentry);
  if (over === undefined) return path;
  const top = topmostOvermount(over);
  return { mount: top, dentry: top.root };
}

/** invent_group_ids(): give every mount of the tree (or just `mnt`) that has no peer group a new one. */
export function inventGroupIds(ns: MntNamespace, mnt: Mount, recurse: boolean): void {
  for (let p: Mount | null = mnt; p !== null; p = recurse ? nextMnt(p, mnt) : null) {
    if (p.groupId === 0) p.groupId = ns.groupIds.alloc();
  }
}

/**
 * commit_tree(): the mounts of the tree under `mnt` not yet in the namespace join it (collected in
 * `added`, to enter the table in creation order), and `mnt` becomes visible on its mountpoint.
 */
function commitTree(mnt: Mount, added: Mount[]): void {
  if (!mnt.attached) {
    for (let m: Mount | null = mnt; m !== null; m = nextMnt(m, mnt)) {
      if (m.attached) {
        m = skipMntTree(m);
      } else {
        m.attached = true;
        added.push(m);
      }
    }
  }
  makeVisible(mnt);
}

/**
 * mnt_add_to_ns() for a batch: the table stays ordered by mnt_id_unique. The new mounts are the
 * newest, all made by this operation, so their ids are a contiguous range: each goes to its place
 * by id, in one pass.
 */
function addToNamespace(ns: MntNamespace, added: readonly Mount[]): void {
  let first = Infinity;
  for (const m of added) if (m.uniqueId < first) first = m.uniqueId;
  const inOrder = new Array<Mount>(added.length);
  for (const m of added) {
    const place = m.uniqueId - first;
    if (place >= added.length || inOrder[place] !== undefined) {
      throw new InvariantError(`the ${added.length} mounts to add do not have consecutive unique ids (mount ${m.id})`);
    }
    inOrder[place] = m;
  }
  for (const m of inOrder) ns.mounts.add(m);
}

/**
 * attach_recursive_mnt(): mount the tree `source` (new, or moved when it has a parent) at
 * `mountpoint` of `dest`. When `dest` is shared, every mount of the tree becomes shared and each
 * receiver of `dest` gets a copy; a copy landing where something is already mounted is tucked
 * under it: what was there moves on top of the copy's topmost root.
 * `expectedCopies` is what the prepare step counted; the walk must agree.
 */
export function attachRecursiveMnt(ns: MntNamespace, source: Mount, dest: Mount, mountpoint: Dentry, expectedCopies: number): void {
  const moving = hasParent(source);
  const rootOfTop = topmostOvermount(source).root;
  const copies: Mount[] = [];
  if (isShared(dest)) {
    inventGroupIds(ns, source, true);
    propagateMnt(ns, dest, mountpoint, source, copies);
    for (const p of mountTree(source)) setMntShared(p);
  }
  if (copies.length !== expectedCopies) {
    throw new InvariantError(`propagate_mnt made ${copies.length} copies where the prepare step counted ${expectedCopies}`);
  }
  if (moving) umountMnt(source);
  mntSetMountpoint(dest, mountpoint, source);
  const added: Mount[] = [];
  // The kernel's tree_list: the original first, then the copies newest first.
  for (const child of [source, ...copies.reverse()]) {
    const q = lookupMnt(child.parent!, child.mountpoint!);
    if (q !== undefined) mntChangeMountpoint(topmostOvermount(child), rootOfTop, q);
    commitTree(child, added);
  }
  addToNamespace(ns, added);
}

/** Which propagate_umount() runs: the 6.17 rewrite (gather, trim, commit, reparent), or 6.12's speculative umount and restore. */
function propagateUmountOf(ns: MntNamespace, set: Mount[]): void {
  if (ns.kernel === '6.12') propagateUmount612(ns, set);
  else propagateUmount(ns, set);
}

/**
 * umount_tree(): take the tree under `mnt` out of the namespace, with (`propagate`) the copies
 * umount propagation adds. Every victim is disconnected from its parent (only locked mounts stay
 * attached to an unmounted parent, and the model has none), leaves propagation, and is freed
 * unless a pin still holds it.
 */
export function umountTree(ns: MntNamespace, mnt: Mount, propagate: boolean): void {
  const set: Mount[] = [];
  for (const p of mountTree(mnt)) {
    p.umounting = true;
    set.push(p);
  }
  for (const p of set) {
    moveFromNamespace(ns, p);
    hideFromParent(p);
  }
  if (propagate) propagateUmountOf(ns, set);
  makeUnmountedPrivate(ns, set);
  for (const p of set) {
    p.attached = false;
    if (hasParent(p)) umountMnt(p);
    ns.freeIfUnused(p);
  }
}

/** do_change_type()'s commit: set the propagation type of `mnt`, or of every mount of its tree. */
export function changeType(ns: MntNamespace, mnt: Mount, type: Propagation, recurse: boolean): void {
  if (type === 'shared') inventGroupIds(ns, mnt, recurse);
  for (let m: Mount | null = mnt; m !== null; m = recurse ? nextMnt(m, mnt) : null) changeMntPropagation(ns, m, type);
}

/**
 * change_mount_ro_state() + set_mount_attributes(), do_reconfigure_mnt()'s commit: the per-mount
 * flags of `mnt` become `mntFlags`. (The kernel's can fail with EBUSY while a file is open for
 * writing through the mount; the model has no files.)
 */
export function setMountAttributes(mnt: Mount, mntFlags: number): void {
  mnt.mntFlags = mntFlags;
}

/** do_set_group()'s commit: `to` joins the peer group of `from` and, right after it, its master's slave list. Nothing propagates. */
export function joinGroup(from: Mount, to: Mount): void {
  if (isSlave(from)) {
    addSlaveBehind(to, from);
    to.master = from.master;
  }
  if (isShared(from)) {
    to.groupId = from.groupId;
    addPeerAfter(from, to);
    setMntShared(to);
  }
}
