// Copies of mounts and mount trees: clone_mnt() and copy_tree() of fs/namespace.c.
import { isSubdir } from './dcache.js';
import { addPeerAfter, addSlaveBehind, addSlaveHead, childrenOf } from './lists.js';
import { hasChildren, isSlave, isUnbindable, peers } from './predicates.js';
import { attachMnt, nextMnt, skipMntTree } from './tree.js';
import type { Dentry, MntNamespace, Mount } from './types.js';

/** CL_SLAVE: the copy is a slave of the mount it copies. */
export const CL_SLAVE = 0x02;
/** CL_MAKE_SHARED: the copy is shared (a peer of the original unless CL_SLAVE). */
export const CL_MAKE_SHARED = 0x08;

/** set_mnt_shared(): the mount is shared, and so no longer unbindable. */
export function setMntShared(m: Mount): void {
  m.shared = true;
  m.unbindable = false;
}

/**
 * clone_mnt(): a copy of `old` showing `root`, attached nowhere. It has every per-mount flag of
 * `old` (read-only, nosuid, atime...: the kernel clears only transient and internal bits), so binds,
 * rbinds and propagated copies carry the flags of what they copy, never of where they land.
 * A plain copy (flag 0) joins the peer group of `old` and, when `old` is a slave, sits right after
 * it in its master's slave list; CL_SLAVE makes it a slave of `old` at the head of the list;
 * CL_MAKE_SHARED gives it a peer group, a new one unless it joins `old`'s.
 */
export function cloneMnt(ns: MntNamespace, old: Mount, root: Dentry, flag: number): Mount {
  const mnt = ns.allocMount(root, old.source, old.mntFlags);
  mnt.groupId = flag & CL_SLAVE ? 0 : old.groupId;
  if (flag & CL_MAKE_SHARED && mnt.groupId === 0) mnt.groupId = ns.groupIds.alloc();
  if (mnt.groupId !== 0) setMntShared(mnt);
  if (peers(mnt, old)) addPeerAfter(old, mnt);
  if (flag & CL_SLAVE && old.groupId !== 0) {
    addSlaveHead(old, mnt);
    mnt.master = old;
  } else if (isSlave(old)) {
    addSlaveBehind(mnt, old);
    mnt.master = old.master;
  }
  return mnt;
}

/**
 * The submounts of `srcRoot` that copy_tree() copies, in its order: the trees mounted at or below
 * `dentry`, depth first, without unbindable mounts and what is mounted on them.
 */
export function* submountsToCopy(srcRoot: Mount, dentry: Dentry): Generator<Mount> {
  for (const child of childrenOf(srcRoot)) {
    if (!isSubdir(child.mountpoint!, dentry)) continue;
    for (let s: Mount | null = child; s !== null; s = nextMnt(s, child)) {
      if (isUnbindable(s)) {
        s = skipMntTree(s);
        continue;
      }
      yield s;
    }
  }
}

/** The number of mounts copy_tree(srcRoot, dentry) makes (count_mounts() of the copy, before it exists). */
export function copyTreeSize(srcRoot: Mount, dentry: Dentry): number {
  let count = 1;
  for (const _ of submountsToCopy(srcRoot, dentry)) count++;
  return count;
}

/**
 * copy_tree(): a copy of the tree under `srcRoot` from `dentry` down, each mount cloned with
 * `flag` and attached to the copy of its parent. Unbindable submounts are left out (the model
 * never asks for CL_COPY_UNBINDABLE).
 */
export function copyTree(ns: MntNamespace, srcRoot: Mount, dentry: Dentry, flag: number): Mount {
  const res = cloneMnt(ns, srcRoot, dentry, flag);
  if (!hasChildren(srcRoot)) return res;
  const copyOf = new Map<Mount, Mount>([[srcRoot, res]]);
  for (const src of submountsToCopy(srcRoot, dentry)) {
    const dst = cloneMnt(ns, src, src.root, flag);
    attachMnt(dst, copyOf.get(src.parent!)!, src.mountpoint!);
    copyOf.set(src, dst);
  }
  return res;
}
