// Copies of mounts and mount trees: clone_mnt(), copy_tree() and lock_mnt_tree() of fs/namespace.c.
import { isSubdir } from './dcache.js';
import { addPeerAfter, addSlaveBehind, addSlaveHead, childrenOf } from './lists.js';
import { hasChildren, isLocked, isSlave, isUnbindable, peers } from './predicates.js';
import { attachMnt, mountTree, nextMnt, skipMntTree } from './tree.js';
import {
  MNT_LOCK_ATIME,
  MNT_LOCK_NODEV,
  MNT_LOCK_NOEXEC,
  MNT_LOCK_NOSUID,
  MNT_LOCK_READONLY,
  MNT_LOCKED,
  MNT_NODEV,
  MNT_NOEXEC,
  MNT_NOSUID,
  MNT_READONLY,
  type Dentry,
  type Mount,
} from './types.js';
import type { KernelState } from './kernel-state.js';

/**
 * CL_SLAVE: the copy is a slave of the mount it copies when that one is shared (and a slave of
 * its master otherwise). copy_mnt_ns() uses it for a namespace owned by another user namespace
 * (6.12 names that CL_SHARED_TO_SLAVE, to the same effect).
 */
export const CL_SLAVE = 0x02;
/** CL_COPY_UNBINDABLE: copy_tree() copies unbindable mounts too (copy_mnt_ns() alone asks). */
export const CL_COPY_UNBINDABLE = 0x04;
/** CL_MAKE_SHARED: the copy is shared (a peer of the original unless CL_SLAVE). */
export const CL_MAKE_SHARED = 0x08;

/** set_mnt_shared(): the mount is shared, and so no longer unbindable. */
export function setMntShared(m: Mount): void {
  m.shared = true;
  m.unbindable = false;
}

/** Whether a copy keeps the unbindable state of what it copies: 6.12 keeps MNT_UNBINDABLE with the flags, 6.18 keeps its T_UNBINDABLE apart from them. */
function cloneKeepsUnbindable(k: KernelState): boolean {
  return k.version === '6.12';
}

/**
 * clone_mnt(): a copy of `old` showing `root`, attached nowhere. It has every per-mount flag of
 * `old` (read-only, nosuid, atime...) and its lock flags, but not MNT_LOCKED, so binds, rbinds and
 * propagated copies carry the flags of what they copy, never of where they land.
 * A plain copy (flag 0) joins the peer group of `old` and, when `old` is a slave, sits right after
 * it in its master's slave list; CL_SLAVE makes it a slave of a shared `old` at the head of the
 * list; CL_MAKE_SHARED gives it a peer group, a new one unless it joins `old`'s.
 */
export function cloneMnt(k: KernelState, old: Mount, root: Dentry, flag: number): Mount {
  const mnt = k.allocMount(root, old.source, old.mntFlags & ~MNT_LOCKED);
  mnt.groupId = flag & CL_SLAVE ? 0 : old.groupId;
  if (flag & CL_MAKE_SHARED && mnt.groupId === 0) mnt.groupId = k.groupIds.alloc();
  if (mnt.groupId !== 0) setMntShared(mnt);
  else if (cloneKeepsUnbindable(k)) mnt.unbindable = old.unbindable;
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
 * `dentry`, depth first, without (unless `flag` has CL_COPY_UNBINDABLE) unbindable mounts and what
 * is mounted on them.
 */
function* submountsToCopy(srcRoot: Mount, dentry: Dentry, flag = 0): Generator<Mount> {
  for (const child of childrenOf(srcRoot)) {
    if (!isSubdir(child.mountpoint!, dentry)) continue;
    for (let s: Mount | null = child; s !== null; s = nextMnt(s, child)) {
      if (isUnbindable(s) && !(flag & CL_COPY_UNBINDABLE)) {
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

/** copy_tree()'s refusal: an unbindable submount it would leave out is locked ("Both unbindable and locked": EPERM). */
export function copyTreeMeetsLockedUnbindable(srcRoot: Mount, dentry: Dentry): boolean {
  for (const child of childrenOf(srcRoot)) {
    if (!isSubdir(child.mountpoint!, dentry)) continue;
    for (let s: Mount | null = child; s !== null; s = nextMnt(s, child)) {
      if (!isUnbindable(s)) continue;
      if (isLocked(s)) return true;
      s = skipMntTree(s);
    }
  }
  return false;
}

/**
 * copy_tree(): a copy of the tree under `srcRoot` from `dentry` down, each mount cloned with
 * `flag` and attached to the copy of its parent; a copy of a locked submount is locked too.
 * Unbindable submounts are left out unless `flag` has CL_COPY_UNBINDABLE (the prepare step has
 * refused the copies that would meet a locked one).
 */
export function copyTree(k: KernelState, srcRoot: Mount, dentry: Dentry, flag: number): Mount {
  const res = cloneMnt(k, srcRoot, dentry, flag);
  if (!hasChildren(srcRoot)) return res;
  const copyOf = new Map<Mount, Mount>([[srcRoot, res]]);
  for (const src of submountsToCopy(srcRoot, dentry, flag)) {
    const dst = cloneMnt(k, src, src.root, flag);
    if (isLocked(src)) dst.mntFlags |= MNT_LOCKED;
    attachMnt(dst, copyOf.get(src.parent!)!, src.mountpoint!);
    copyOf.set(src, dst);
  }
  return res;
}

/** The lock flag each per-mount flag gets in a less privileged namespace (lock_mnt_tree()). */
const lockOf: readonly (readonly [number, number])[] = [
  [MNT_READONLY, MNT_LOCK_READONLY],
  [MNT_NODEV, MNT_LOCK_NODEV],
  [MNT_NOSUID, MNT_LOCK_NOSUID],
  [MNT_NOEXEC, MNT_LOCK_NOEXEC],
];

/**
 * lock_mnt_tree(): the tree under `mnt` arrives in a less privileged namespace: no mount's atime
 * flags, read-only, nodev, nosuid or noexec may change there any more, and every mount but `mnt`
 * is locked to its parent, so that nothing it covers can be revealed. (6.12 also locks `mnt`:
 * a namespace's root, or a propagated copy it unlocks again at once; 6.18 does not. Both leave
 * `mnt` free to go.)
 */
export function lockMntTree(mnt: Mount): void {
  for (const p of mountTree(mnt)) {
    let flags = p.mntFlags | MNT_LOCK_ATIME;
    for (const [flag, lock] of lockOf) if (flags & flag) flags |= lock;
    if (p !== mnt) flags |= MNT_LOCKED;
    p.mntFlags = flags;
  }
}
