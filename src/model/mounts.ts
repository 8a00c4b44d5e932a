// Attaching and detaching mount trees: attach_recursive_mnt(), umount_tree() and their helpers in
// fs/namespace.c. These are commit steps: the syscalls (syscalls.ts) run them only after every
// check that could refuse the operation has passed, so they never fail.
import { lockMntTree, setMntShared } from './clone.js';
import { addPeerAfter, addSlaveBehind } from './lists.js';
import { changeMntPropagation, makeUnmountedPrivate, moveFromNamespace, propagateMnt, propagateMountUnlock, propagateUmount } from './pnode.js';
import { propagateUmount as propagateUmount612 } from './pnode-6.12.js';
import { hasParent, isNew, isShared, isSlave } from './predicates.js';
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
import { MNT_USER_SETTABLE_MASK } from './types.js';
import type { KernelState } from './kernel-state.js';
import type { Dentry, MntNamespace, Mount, Path, UserNamespace } from './types.js';

/** where_to_mount(): a new mount goes on top of whatever is already mounted at `path`. */
export function whereToMount(path: Path): Path {
  const over = lookupMnt(path.mount, path.dentry);
  if (over === undefined) return path;
  const top = topmostOvermount(over);
  return { mount: top, dentry: top.root };
}

/** invent_group_ids(): give every mount of the tree (or just `mnt`) that has no peer group a new one. */
function inventGroupIds(k: KernelState, mnt: Mount, recurse: boolean): void {
  for (let p: Mount | null = mnt; p !== null; p = recurse ? nextMnt(p, mnt) : null) {
    if (p.groupId === 0) p.groupId = k.groupIds.alloc();
  }
}

/**
 * commit_tree(): the mounts of the tree under `mnt` not yet in a namespace join its parent's
 * (collected in `added`, to enter the tables in creation order), and `mnt` becomes visible on its
 * mountpoint.
 */
function commitTree(mnt: Mount, added: Mount[]): void {
  const ns = mnt.parent!.ns!;
  if (isNew(mnt)) {
    for (let m: Mount | null = mnt; m !== null; m = nextMnt(m, mnt)) {
      if (!isNew(m)) {
        m = skipMntTree(m);
      } else {
        m.ns = ns;
        added.push(m);
      }
    }
  }
  makeVisible(mnt);
}

/**
 * mnt_add_to_ns() for a batch: each table stays ordered by mnt_id_unique. The new mounts are the
 * newest, all made by this operation, so their ids are a contiguous range: each goes to its place
 * by id, in one pass, and then to its namespace's table in that order.
 */
function addToNamespaces(added: readonly Mount[]): void {
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
  for (const m of inOrder) m.ns!.mounts.add(m);
}

/**
 * attach_recursive_mnt(): mount the tree `source` (new, or moved when it has a parent) at
 * `mountpoint` of `dest`. When `dest` is shared, every mount of the tree becomes shared and each
 * receiver of `dest`, in whatever namespace, gets a copy; a copy landing where something is
 * already mounted is tucked under it: what was there moves on top of the copy's topmost root. A
 * copy landing in a namespace owned by another user namespace than `userNs` (the caller's
 * namespace's) arrives locked (lock_mnt_tree()).
 * `expectedCopies` is what the prepare step counted; the walk must agree.
 */
export function attachRecursiveMnt(k: KernelState, userNs: UserNamespace, source: Mount, dest: Mount, mountpoint: Dentry, expectedCopies: number): void {
  const moving = hasParent(source);
  const rootOfTop = topmostOvermount(source).root;
  const copies: Mount[] = [];
  if (isShared(dest)) {
    inventGroupIds(k, source, true);
    propagateMnt(k, dest, mountpoint, source, copies);
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
    /* Notice when we are propagating across user namespaces */
    if (child.parent!.ns!.userNs !== userNs) lockMntTree(child);
    const q = lookupMnt(child.parent!, child.mountpoint!);
    if (q !== undefined) mntChangeMountpoint(topmostOvermount(child), rootOfTop, q);
    commitTree(child, added);
  }
  addToNamespaces(added);
}

/** Which propagate_umount() runs: the 6.17 rewrite (gather, trim, commit, reparent), or 6.12's speculative umount and restore. */
function propagateUmountOf(k: KernelState, set: Mount[]): void {
  if (k.version === '6.12') propagateUmount612(set);
  else propagateUmount(set);
}

/**
 * umount_tree(): take the tree under `mnt` out of its namespace, with (`propagate`) the copies
 * umount propagation adds, in whatever namespace, first unlocking the copies of `mnt` itself
 * (propagate_mount_unlock()). Every victim is disconnected from its parent (the kernel leaves a
 * locked one attached to an unmounted parent, which only a pin could tell), leaves propagation,
 * and is freed unless a pin still holds it.
 */
export function umountTree(k: KernelState, mnt: Mount, propagate: boolean): void {
  if (propagate) propagateMountUnlock(mnt);
  const set: Mount[] = [];
  for (const p of mountTree(mnt)) {
    p.umounting = true;
    set.push(p);
  }
  for (const p of set) {
    moveFromNamespace(p);
    hideFromParent(p);
  }
  if (propagate) propagateUmountOf(k, set);
  makeUnmountedPrivate(k, set);
  for (const p of set) {
    p.ns = null;
    if (hasParent(p)) umountMnt(p);
    k.freeIfUnused(p);
  }
}

/** do_change_type()'s commit: set the propagation type of `mnt`, or of every mount of its tree. */
export function changeType(k: KernelState, mnt: Mount, type: Propagation, recurse: boolean): void {
  if (type === 'shared') inventGroupIds(k, mnt, recurse);
  for (let m: Mount | null = mnt; m !== null; m = recurse ? nextMnt(m, mnt) : null) changeMntPropagation(k, m, type);
}

/**
 * change_mount_ro_state() + set_mount_attributes(), do_reconfigure_mnt()'s commit: the per-mount
 * flags of `mnt` become `mntFlags`; its lock flags stay. (The kernel's can fail with EBUSY while a
 * file is open for writing through the mount; the model has no files.)
 */
export function setMountAttributes(mnt: Mount, mntFlags: number): void {
  mnt.mntFlags = mntFlags | (mnt.mntFlags & ~MNT_USER_SETTABLE_MASK);
}

/**
 * put_mnt_ns(): the last process of `ns` is gone; its whole tree is unmounted without umount
 * propagation (umount_tree(ns->root, 0)): copies elsewhere stay, the namespace's mounts leave their
 * peer groups and hand their slaves on, and what a pin held lives on detached.
 */
export function putMntNs(k: KernelState, ns: MntNamespace): void {
  umountTree(k, ns.root, false);
}

/**
 * dissolve_on_fput(): the file open_tree(OPEN_TREE_CLONE) gave is closed while `mnt` is still the
 * root of its anonymous namespace (never attached): the detached tree is unmounted, without
 * propagation (umount_tree(mnt, UMOUNT_CONNECTED)), and its namespace ends empty.
 */
export function dissolveOnFput(k: KernelState, mnt: Mount): void {
  if (mnt.ns !== null && mnt.ns.anonymous && mnt.ns.root === mnt) umountTree(k, mnt, false);
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
