// Mount propagation, routine for routine after fs/pnode.c (Linux 6.18: slave lists are hlists,
// propagate_umount() is the 6.17 rewrite, slaves of unmounted mounts move in bulk). Where 6.12
// differs, a small switch on KernelState.version picks its behaviour (the first section below;
// 6.12's propagate_umount() is in pnode-6.12.ts).
//
// Facts the walks rely on:
// - Peer groups form contiguous segments of slave lists: the peers of a group that are slaves
//   share one master and sit next to each other in its slave list.
// - Mounts that are not in a namespace yet (IS_MNT_NEW: the tree being attached and its copies)
//   are passed over but never descended into. Mounts being unmounted are not new: they keep
//   their namespace until umount_tree() is done with them, and propagation walks through them.
// - Propagation knows no namespace boundary: peers and slaves may be in any mount namespace, and
//   every walk here reaches them all.
import { CL_MAKE_SHARED, CL_SLAVE, copyTree, setMntShared } from './clone.js';
import { isSubdir } from './dcache.js';
import { addSlaveHead, deletePeer, deleteSlave, isAloneInRing, spliceSlaves, spliceSlavesAtTail } from './lists.js';
import {
  hasChildren,
  hasOneChild,
  hasSlaves,
  isCandidate,
  isLocked,
  isMarked,
  isNew,
  isShared,
  peers,
  willBeUnmounted,
} from './predicates.js';
import { hideFromParent, lookupMnt, mntChangeMountpoint, mntSetMountpoint, overmount } from './tree.js';
import type { KernelState } from './kernel-state.js';
import { MNT_LOCKED, type Dentry, type MntNamespace, type Mount } from './types.js';
import type { Propagation } from '../core/namespace.js';

/** next_peer(): the next mount of p's peer group (p itself when it has no peers). */
export const nextPeer = (p: Mount): Mount => p.nextPeer;

/** first_slave(): the first mount of p's slave list. */
const firstSlave = (p: Mount): Mount => p.firstSlave!;

/** mnt_release_group_id(): the mount's peer group id is free again. */
function releaseGroupId(k: KernelState, m: Mount): void {
  k.groupIds.free(m.groupId);
  m.groupId = 0;
}

// ---- where Linux 6.12 and 6.18 differ (KernelState.version) -------------------------------------

/** The peer a mount leaving its group hands its slaves to: the next one (6.18), or the first with the same root, else the next (6.12's do_make_slave()). */
function handOverPeer(k: KernelState, mnt: Mount): Mount {
  if (k.version === '6.12') {
    for (let p = nextPeer(mnt); p !== mnt; p = nextPeer(p)) if (p.root === mnt.root) return p;
  }
  return nextPeer(mnt);
}

/** Where handed-over slaves join their new master's list: in front (6.18's hlist_splice_init()), or at the tail (6.12's list_splice()). */
function spliceHandedOver(k: KernelState, from: Mount, last: Mount, to: Mount): void {
  if (k.version === '6.12') spliceSlavesAtTail(from, to);
  else spliceSlaves(from, last, to);
}

/**
 * How the mounts of an umount leave propagation: all at once, their slaves going to the nearest
 * survivor (6.18's bulk_make_private()), or one by one in the order of the set, each handing its
 * slaves to a peer or master that may itself go next (6.12's change_mnt_propagation() in umount_tree()).
 */
export function makeUnmountedPrivate(k: KernelState, set: readonly Mount[]): void {
  if (k.version === '6.12') for (const m of set) changeMntPropagation(k, m, 'private');
  else bulkMakePrivate(k, set);
}

// ---- changing a mount's propagation ----------------------------------------------------------

/** transfer_propagation(): every slave of `mnt` becomes, in order, a slave of `to` (spliceHandedOver()), or private without `to`. */
function transferPropagation(k: KernelState, mnt: Mount, to: Mount | null): void {
  let last: Mount | null = null;
  for (let m = mnt.firstSlave, next: Mount | null; m !== null; m = next) {
    next = m.nextSlave;
    m.master = to;
    if (to === null) m.prevSlave = m.nextSlave = null;
    else last = m;
  }
  if (last !== null) spliceHandedOver(k, mnt, last, to!);
  else mnt.firstSlave = null;
}

/**
 * change_mnt_propagation(): make `mnt` shared, a slave, private or unbindable. A shared mount that
 * leaves its group hands its slaves to a peer (handOverPeer()), or to its master when it had no
 * peers, and as a slave becomes a slave of that same mount (a new head of its slave list).
 */
export function changeMntPropagation(k: KernelState, mnt: Mount, type: Propagation): void {
  let m = mnt.master;
  if (type === 'shared') return setMntShared(mnt);
  if (isShared(mnt)) {
    if (isAloneInRing(mnt)) {
      releaseGroupId(k, mnt);
    } else {
      m = handOverPeer(k, mnt);
      deletePeer(mnt);
      mnt.groupId = 0;
    }
    mnt.shared = false;
    transferPropagation(k, mnt, m);
  }
  deleteSlave(mnt);
  if (type === 'slave') {
    mnt.master = m;
    if (m !== null) addSlaveHead(m, mnt);
  } else {
    mnt.master = null;
    mnt.unbindable = type === 'unbindable';
  }
}

/**
 * trace_transfers(): take `m` and the mounts it would hand its slaves to out of their groups and
 * slave lists, as long as those are being unmounted too, pointing each at the next; returns where
 * the slaves finally go: the first survivor, or the destination found by an earlier trace.
 */
function traceTransfers(k: KernelState, m: Mount): Mount | null {
  for (;;) {
    let next: Mount | null = nextPeer(m);
    deleteSlave(m);
    if (next !== m) {
      deletePeer(m);
      m.groupId = 0;
      m.master = next;
    } else {
      if (isShared(m)) releaseGroupId(k, m);
      next = m.master;
    }
    m.shared = false;
    m.marked = true;
    if (next === null || !willBeUnmounted(next)) return next;
    if (isMarked(next)) return next.master;
    m = next;
  }
}

/** set_destinations(): point every mount of the chain a trace left, from `m` on, at `master`. */
function setDestinations(m: Mount, master: Mount | null): void {
  for (let next = m.master; next !== master; next = m.master) {
    m.master = master;
    m = next!;
  }
}

/** bulk_make_private(): every mount of `set` leaves propagation; their slaves go to the nearest surviving peer or master. */
function bulkMakePrivate(k: KernelState, set: readonly Mount[]): void {
  for (const m of set) if (!isMarked(m)) setDestinations(m, traceTransfers(k, m));
  for (const m of set) {
    transferPropagation(k, m, m.master);
    m.master = null;
    m.marked = false;
  }
}

// ---- what mountinfo shows of propagation -----------------------------------------------------

/** get_peer_under_root(): a peer of `mnt` (or `mnt`) in `ns`, whose reader sees all of it (its root is the namespace's). */
function getPeerUnderRoot(mnt: Mount, ns: MntNamespace): Mount | undefined {
  let m = mnt;
  do {
    if (m.ns === ns) return m;
    m = nextPeer(m);
  } while (m !== mnt);
  return undefined;
}

/**
 * get_dominating_id(): the peer group, nearest up the chain of masters of `mnt`, that has a member
 * in its namespace (mountinfo's propagate_from:), or 0 for none.
 */
export function getDominatingId(mnt: Mount): number {
  for (let m = mnt.master; m !== null; m = m.master) {
    const d = getPeerUnderRoot(m, mnt.ns!);
    if (d !== undefined) return d.groupId;
  }
  return 0;
}

// ---- walking the propagation tree --------------------------------------------------------------

/** __propagation_next(): the next mount after `m` and its slaves in the propagation tree of `origin`, going forward and up. */
function propagationForwardAndUp(m: Mount, origin: Mount): Mount | null {
  for (;;) {
    const master = m.master;
    if (master === origin.master) {
      const next = nextPeer(m);
      return next === origin ? null : next;
    }
    if (m.nextSlave !== null) return m.nextSlave;
    m = master!;
  }
}

/** propagation_next(): the mount after `m` in a depth-first walk of everything that receives propagation from `origin`. */
export function propagationNext(m: Mount, origin: Mount): Mount | null {
  if (!isNew(m) && hasSlaves(m)) return firstSlave(m);
  return propagationForwardAndUp(m, origin);
}

/** skip_propagation_subtree(): the mount after everything that receives propagation from `m` (its peers included). */
export function skipPropagationSubtree(m: Mount, origin: Mount): Mount | null {
  let p = propagationForwardAndUp(m, origin);
  while (p !== null && peers(m, p)) p = propagationForwardAndUp(p, origin);
  return p;
}

/** next_group(): the first mount of the next peer group (or lone slave) below `origin`, depth first. */
export function nextGroup(m: Mount, origin: Mount): Mount | null {
  for (;;) {
    for (;;) {
      if (!isNew(m) && hasSlaves(m)) return firstSlave(m);
      const next = nextPeer(m);
      if (m.groupId === origin.groupId) {
        if (next === origin) return null;
      } else if (m.nextSlave !== next) {
        break;
      }
      m = next;
    }
    // m is the last peer of its group
    for (;;) {
      const master: Mount = m.master!;
      if (m.nextSlave !== null) return m.nextSlave;
      m = nextPeer(master);
      if (master.groupId === origin.groupId) break;
      if (master.nextSlave === m) break;
      m = master;
    }
    if (m === origin) return null;
  }
}

// ---- propagating a new mount -------------------------------------------------------------------

/** need_secondary(): `m` receives a copy at `mountpoint`: it is in the namespace and sees the mountpoint. */
function needSecondary(m: Mount, mountpoint: Dentry): boolean {
  return !isNew(m) && isSubdir(mountpoint, m.root);
}

/**
 * find_master(): which copy the first copy for the group of `m` is a slave of: climb from `m`
 * until the next master has already received a copy (is marked), then climb the copies from
 * `lastCopy` to the one made for that master's group.
 */
function findMaster(m: Mount, lastCopy: Mount, original: Mount): Mount {
  let p: Mount | null;
  for (;;) {
    p = m.master;
    if (p === null || isMarked(p)) break;
    m = p;
  }
  while (!peers(lastCopy, original)) {
    const parent = lastCopy.parent!;
    if (parent.master === p) {
      if (!peers(parent, m)) lastCopy = lastCopy.master!;
      break;
    }
    lastCopy = lastCopy.master!;
  }
  return lastCopy;
}

/**
 * The mounts propagate_mnt(dest, mountpoint) will give a copy, in its order: the same walk over
 * peer groups, changing nothing. It is the prepare half of attaching a tree (count_mounts() of
 * each copy's namespace): the copies propagate_mnt() links into the groups are new mounts, which
 * its walk passes over, so they cannot change the count.
 */
export function secondaryReceivers(dest: Mount, mountpoint: Dentry): Mount[] {
  const receivers: Mount[] = [];
  for (let m: Mount | null = dest; m !== null; m = nextGroup(m, dest)) {
    let n = m === dest ? nextPeer(m) : m;
    if (n === dest) continue;
    do {
      if (needSecondary(n, mountpoint)) receivers.push(n);
    } while ((n = nextPeer(n)) !== m);
  }
  return receivers;
}

/**
 * propagate_mnt(): for every mount that receives propagation from `dest` and sees `mountpoint`,
 * a copy of the tree `source`, set on that mountpoint (not yet visible) and appended to `copies`
 * in creation order. Peers of `dest` get peers of `source`; the first receiving mount of each
 * slave group gets a slave of the copy made for its nearest master (find_master), shared when the
 * group is, and the rest of that group peers of it.
 */
export function propagateMnt(k: KernelState, dest: Mount, mountpoint: Dentry, source: Mount, copies: Mount[]): void {
  if (dest.master !== null) dest.master.marked = true;
  let copy = source;
  let type = CL_MAKE_SHARED;
  for (let m: Mount | null = dest; m !== null; m = nextGroup(m, dest)) {
    let n: Mount;
    if (m === dest) {
      copy = source;
      type = CL_MAKE_SHARED;
      n = nextPeer(m);
      if (n === m) continue;
    } else {
      type = CL_SLAVE | (isShared(m) ? CL_MAKE_SHARED : 0);
      n = m;
    }
    do {
      if (!needSecondary(n, mountpoint)) continue;
      if (type & CL_SLAVE) copy = findMaster(n, copy, source);
      const secondary = copyTree(k, copy, copy.root, type);
      mntSetMountpoint(n, mountpoint, secondary);
      if (n.master !== null) n.master.marked = true;
      copy = secondary;
      copies.push(secondary);
      type = CL_MAKE_SHARED;
    } while ((n = nextPeer(n)) !== m);
  }
  for (const secondary of copies) {
    const master = secondary.parent!.master;
    if (master !== null) master.marked = false;
  }
  if (dest.master !== null) dest.master.marked = false;
}

// ---- unmounting --------------------------------------------------------------------------------

/** mnt_get_count(): one reference for being mounted, one per pin (since 6.16 mounts do not pin their parents). */
function mntGetCount(m: Mount): number {
  return 1 + m.pins;
}

/**
 * propagate_mount_busy(): unmounting `mnt` without MNT_DETACH fails (EBUSY) when it has submounts
 * or more than `refcnt` references, or when a copy that umount propagation would take along (one
 * with no children, or only one that covers its root) has references beyond its own.
 */
export function propagateMountBusy(mnt: Mount, refcnt: number): boolean {
  if (hasChildren(mnt) || mntGetCount(mnt) > refcnt) return true;
  const parent = mnt.parent;
  if (parent === null) return false;
  for (let m = propagationNext(parent, parent); m !== null; m = propagationNext(m, parent)) {
    const child = lookupMnt(m, mnt.mountpoint!);
    if (child === undefined) continue;
    // a mount that covers the child completely would not keep it in place; any other would
    if (hasChildren(child) && !(hasOneChild(child) && overmount(child) !== undefined)) continue;
    if (mntGetCount(child) > 1) return true;
  }
  return false;
}

/**
 * propagate_mount_unlock(): `mnt` is being unmounted with propagation, so the copies of it on
 * the mounts that receive from its parent need not stay locked: what they cover is going too.
 */
export function propagateMountUnlock(mnt: Mount): void {
  const parent = mnt.parent!;
  for (let m = propagationNext(parent, parent); m !== null; m = propagationNext(m, parent)) {
    const child = lookupMnt(m, mnt.mountpoint!);
    if (child !== undefined) child.mntFlags &= ~MNT_LOCKED;
  }
}

/** umount_one(): `m` is committed to going: out of its namespace and its parent's child list. */
export function umountOne(m: Mount, toUmount: Mount[]): void {
  m.umounting = true;
  hideFromParent(m);
  moveFromNamespace(m);
  toUmount.push(m);
}

/**
 * move_from_ns(): `m` leaves its namespace's mount table. It keeps its namespace (mnt_ns) until
 * umount_tree() lets go of it, so umount propagation still walks through it (it is not "new").
 */
export function moveFromNamespace(m: Mount): void {
  m.ns!.mounts.delete(m);
}

/** remove_from_candidate_list(). */
function removeFromCandidateList(m: Mount, candidates: Set<Mount>): void {
  m.marked = false;
  m.candidate = false;
  candidates.delete(m);
}

/**
 * gather_candidates(): every mount at the mountpoint of a mount of `set` on a mount that receives
 * propagation from that mount's parent. Returns them in the kernel's list order (newest first).
 */
function gatherCandidates(set: readonly Mount[]): Set<Mount> {
  const found: Mount[] = [];
  for (const m of set) {
    if (isCandidate(m)) continue;
    m.candidate = true;
    const p = m.parent!;
    let q = propagationNext(p, p);
    while (q !== null) {
      const child = lookupMnt(q, m.mountpoint!);
      if (child !== undefined) {
        // Met before, on an earlier mount of the set: what receives from q has been seen too.
        if (isCandidate(child)) {
          q = skipPropagationSubtree(q, p);
          continue;
        }
        child.candidate = true;
        if (!willBeUnmounted(child)) found.push(child);
      }
      q = propagationNext(q, p);
    }
  }
  for (const m of set) m.candidate = false;
  return new Set(found.reverse());
}

/** trim_ancestors(): a child of `m` stays, so each candidate ancestor that `m`'s branch does not merely overmount stays too. */
function trimAncestors(m: Mount): void {
  for (let p = m.parent!; isCandidate(p); m = p, p = p.parent!) {
    if (isMarked(m)) return; // everything above was handled by an earlier call
    m.marked = true;
    if (m !== overmount(p)) p.candidate = false;
  }
}

/**
 * trim_one(): a candidate with a child that stays and does not just cover its root stays; an
 * unlocked candidate without children goes at once.
 */
function trimOne(m: Mount, candidates: Set<Mount>, toUmount: Mount[]): void {
  if (!isCandidate(m)) return removeFromCandidateList(m, candidates);
  let found = false;
  let removeThis = false;
  for (let n = m.firstChild; n !== null; n = n.nextSibling) {
    if (isCandidate(n)) continue;
    found = true;
    if (n !== overmount(m)) {
      removeThis = true;
      break;
    }
  }
  if (found) {
    trimAncestors(m);
  } else if (!isLocked(m) && !hasChildren(m)) {
    removeFromCandidateList(m, candidates);
    return umountOne(m, toUmount);
  }
  if (removeThis) removeFromCandidateList(m, candidates);
}

/**
 * handle_locked(): `m` and its chain of candidate ancestors go as far up as the last unlocked one
 * (a locked mount goes only with its parent), or all of them when the chain ends on a mount that
 * goes anyway; the rest stay, so that nothing locked is revealed.
 */
function handleLocked(m: Mount, candidates: Set<Mount>, toUmount: Mount[]): void {
  if (!isCandidate(m)) return removeFromCandidateList(m, candidates);
  let cutoff: Mount = m;
  let p = m;
  for (; isCandidate(p); p = p.parent!) {
    removeFromCandidateList(p, candidates);
    if (!isLocked(p)) cutoff = p.parent!;
  }
  if (willBeUnmounted(p)) cutoff = p;
  for (let q = m; q !== cutoff; q = q.parent!) umountOne(q, toUmount);
}

/** reparent(): `m` survives on top of a stack that goes; it slides down to where the stack's bottom is attached. */
export function reparent(m: Mount): void {
  let p = m;
  let mountpoint: Dentry;
  do {
    mountpoint = p.mountpoint!;
    p = p.parent!;
  } while (willBeUnmounted(p));
  mntChangeMountpoint(p, mountpoint, m);
}

/**
 * propagate_umount(): add to `set` (a whole subtree, already out of its namespace) every copy of
 * its mounts on mounts that receive propagation from their parents, in any namespace, except
 * those that cannot go: a copy stays when something that stays is mounted inside it other than on
 * its root, or when it is locked and its parent stays. Phases: collect candidates, trim to the
 * largest set that shifts nothing, then to one that reveals nothing locked, commit, reparent
 * overmounts.
 */
export function propagateUmount(set: Mount[]): void {
  const candidates = gatherCandidates(set);
  const toUmount: Mount[] = [];
  for (const m of candidates) trimOne(m, candidates, toUmount);
  for (let first = candidates.values().next(); !first.done; first = candidates.values().next()) {
    handleLocked(first.value, candidates, toUmount);
  }
  for (const m of toUmount) {
    const over = overmount(m);
    if (over !== undefined && !willBeUnmounted(over)) reparent(over);
  }
  set.push(...toUmount);
}
