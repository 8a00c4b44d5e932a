// propagate_umount() of Linux 6.12 (fs/pnode.c), which 6.17 rewrote (pnode.ts): the model runs it
// with `kernel: '6.12'`. Rather than gathering every candidate and trimming the set, it unmounts
// each copy speculatively as the propagation walk meets it, when nothing but mounts on its root
// is mounted inside it, climbs to the copy's parent when that was put aside before, and at the end
// restores what was put aside: mounts whose parent went slide down to the first survivor below.
//
// The kernel threads the mounts it has met through mnt_umounting, onto one of two lists: mounts
// visited (the unmounted set, and copies already being unmounted) and mounts to restore (copies
// that had to stay, and mounts on the root of a copy that goes). `listed` is !list_empty().
import { childrenOf, lastSlave } from './lists.js';
import { propagationNext, reparent, umountOne } from './pnode.js';
import { hasSlaves, isLocked, isMarked, isNew, willBeUnmounted } from './predicates.js';
import { lookupMnt } from './tree.js';
import type { Mount } from './types.js';

/** What one propagate_umount() keeps between its phases. */
interface UmountLists {
  visited: Set<Mount>;
  toRestore: Set<Mount>;
  /** Copies that go, in the order they went. */
  toUmount: Mount[];
}

/** !list_empty(&m->mnt_umounting): `m` is on one of the lists. */
const isListed = (m: Mount, lists: UmountLists): boolean => lists.visited.has(m) || lists.toRestore.has(m);

/** list_del_init(&m->mnt_umounting). */
function unlist(m: Mount, lists: UmountLists): void {
  lists.visited.delete(m);
  lists.toRestore.delete(m);
}

/** list_move_tail(&m->mnt_umounting, to_restore). */
function putAside(m: Mount, lists: UmountLists): void {
  unlist(m, lists);
  lists.toRestore.add(m);
}

/** umount_one(): `m` goes, unmarked and off the lists. */
function umountOneListed(m: Mount, lists: UmountLists): void {
  m.marked = false;
  unlist(m, lists);
  umountOne(m, lists.toUmount);
}

/** Whether `child` is mounted on the root of `m` (a "topper"). */
const isTopper = (child: Mount, m: Mount): boolean => child.mountpoint === m.root;

/**
 * skip_propagation_subtree() of 6.12: the last slave of `m`, so that the walk goes on after m's
 * other slaves (but, unlike 6.18's, into the slaves of that last one).
 */
function skipPropagationSubtree(m: Mount): Mount {
  return !isNew(m) && hasSlaves(m) ? lastSlave(m)! : m;
}

/**
 * __propagate_umount(): `mnt` could go when nothing but toppers is mounted inside it: then it is
 * marked and goes, unless it is locked, when it is put aside (marked: its parent may still go);
 * otherwise it is put aside unmarked. Returns whether it was marked. A mount already going or
 * marked is left alone.
 */
function propagateOneUmount(mnt: Mount, lists: UmountLists): boolean {
  if (willBeUnmounted(mnt) || isMarked(mnt)) return false;
  for (const child of childrenOf(mnt)) {
    if (isTopper(child, mnt) || (isListed(child, lists) && isMarked(child))) continue;
    putAside(mnt, lists);
    return false;
  }
  mnt.marked = true;
  if (isLocked(mnt)) putAside(mnt, lists);
  else umountOneListed(mnt, lists);
  return true;
}

/** umount_list(): everything mounted inside a copy that goes goes too, except its toppers, which are put aside. */
function umountList(lists: UmountLists): void {
  for (let i = 0; i < lists.toUmount.length; i++) {
    const mnt = lists.toUmount[i]!;
    for (let child = mnt.firstChild, next: Mount | null; child !== null; child = next) {
      next = child.nextSibling;
      if (isTopper(child, mnt)) putAside(child, lists);
      else umountOneListed(child, lists);
    }
  }
}

/** restore_mounts(): each mount put aside whose parent goes slides down to where the first surviving ancestor holds the stack. */
function restoreMounts(lists: UmountLists): void {
  for (const m of lists.toRestore) {
    m.marked = false;
    if (willBeUnmounted(m.parent!)) reparent(m);
  }
  lists.toRestore.clear();
}

/**
 * propagate_umount() of 6.12: add to `set` (a whole subtree, already out of the namespace) the
 * copies of its mounts, met walking the set backwards, on the mounts that receive propagation
 * from their parents, unless something other than a topper stays mounted inside them.
 */
export function propagateUmount(set: Mount[]): void {
  const lists: UmountLists = { visited: new Set(), toRestore: new Set(), toUmount: [] };
  for (let i = set.length - 1; i >= 0; i--) {
    const mnt = set[i]!;
    const parent = mnt.parent!;
    if (isListed(mnt, lists)) continue;
    lists.visited.add(mnt);
    for (let m = propagationNext(parent, parent); m !== null; m = propagationNext(m, parent)) {
      let child = lookupMnt(m, mnt.mountpoint!);
      if (child === undefined) continue;
      if (isListed(child, lists)) {
        m = skipPropagationSubtree(m);
        continue;
      }
      if (willBeUnmounted(child)) {
        lists.visited.add(child);
        continue;
      }
      // the parent of a copy that went is looked at again if it was put aside
      while (propagateOneUmount(child, lists)) {
        child = child.parent!;
        if (!isListed(child, lists)) break;
      }
    }
  }
  umountList(lists);
  restoreMounts(lists);
  set.push(...lists.toUmount);
}
