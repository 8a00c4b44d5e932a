// The mount tree: walking it and hooking mounts in and out, as fs/namespace.c does. A mount is
// "visible" once it is hashed at its mountpoint and on its parent's child list (make_visible());
// propagation and umount keep a mount hashed while it is off the list, as the kernel does.
import { addChildTail, deleteChild } from './lists.js';
import type { Dentry, Mount } from './types.js';

/** next_mnt(): the mount after `p` in a depth-first walk of the tree under `root` (parents first, children in list order). */
export function nextMnt(p: Mount, root: Mount): Mount | null {
  if (p.firstChild !== null) return p.firstChild;
  for (let m = p; m !== root; m = m.parent!) {
    if (m.nextSibling !== null) return m.nextSibling;
  }
  return null;
}

/** skip_mnt_tree(): the last mount of the subtree under `p`, so that nextMnt() continues after it. */
export function skipMntTree(p: Mount): Mount {
  let m = p;
  while (m.lastChild !== null) m = m.lastChild;
  return m;
}

/** The mounts of the tree under `root`, in next_mnt() order. */
export function* mountTree(root: Mount): Generator<Mount> {
  for (let m: Mount | null = root; m !== null; m = nextMnt(m, root)) yield m;
}

/** __lookup_mnt(): the mount hashed last at `dentry` of `parent`, if any. */
export function lookupMnt(parent: Mount, dentry: Dentry): Mount | undefined {
  return parent.hashed?.get(dentry);
}

/** ->overmount: the mount that covers the root of `m`, if any. */
export function overmount(m: Mount): Mount | undefined {
  return lookupMnt(m, m.root);
}

/** topmost_overmount(): the top of the stack of mounts on the root of `m` (`m` itself if none). */
export function topmostOvermount(m: Mount): Mount {
  let top = m;
  for (let over = overmount(top); over !== undefined; over = overmount(top)) top = over;
  return top;
}

/** mount_is_ancestor(): `a` is `b` or one of its ancestors. */
export function mountIsAncestor(a: Mount, b: Mount): boolean {
  for (let m: Mount | null = b; m !== null; m = m.parent) if (m === a) return true;
  return false;
}

/** mnt_set_mountpoint(): `child` will sit on `mountpoint` of `parent` (not yet visible). */
export function mntSetMountpoint(parent: Mount, mountpoint: Dentry, child: Mount): void {
  child.parent = parent;
  child.mountpoint = mountpoint;
}

/** make_visible(): hash `m` at its mountpoint and append it to its parent's child list. */
export function makeVisible(m: Mount): void {
  const hashed = (m.parent!.hashed ??= new Map());
  m.nextHashed = hashed.get(m.mountpoint!) ?? null;
  hashed.set(m.mountpoint!, m);
  addChildTail(m.parent!, m);
}

/** attach_mnt(): `m` sits, visible, on `mountpoint` of `parent`. */
export function attachMnt(m: Mount, parent: Mount, mountpoint: Dentry): void {
  mntSetMountpoint(parent, mountpoint, m);
  makeVisible(m);
}

/** Whether `m` is on its parent's child list (umount and propagation take mounts off it first). */
function isOnChildList(m: Mount): boolean {
  return m.prevSibling !== null || m.parent!.firstChild === m;
}

/** list_del_init(&m->mnt_child): `m` leaves its parent's child list (if it has a parent) but stays hashed. */
export function hideFromParent(m: Mount): void {
  if (m.parent !== null && isOnChildList(m)) deleteChild(m.parent, m);
}

/** Unhash `m` from its mountpoint (where reparent() may have hashed another meanwhile). */
function unhash(m: Mount): void {
  const hashed = m.parent!.hashed!;
  const head = hashed.get(m.mountpoint!)!;
  if (head !== m) {
    let p = head;
    while (p.nextHashed !== m) p = p.nextHashed!;
    p.nextHashed = m.nextHashed;
  } else if (m.nextHashed !== null) {
    hashed.set(m.mountpoint!, m.nextHashed);
  } else {
    hashed.delete(m.mountpoint!);
  }
  m.nextHashed = null;
}

/** umount_mnt(): `m` leaves its parent entirely and has no parent any more. */
export function umountMnt(m: Mount): void {
  hideFromParent(m);
  unhash(m);
  m.parent = null;
  m.mountpoint = null;
}

/** mnt_change_mountpoint(): move `m` (with what is mounted on it) to `mountpoint` of `parent`. */
export function mntChangeMountpoint(parent: Mount, mountpoint: Dentry, m: Mount): void {
  umountMnt(m);
  attachMnt(m, parent, mountpoint);
}
