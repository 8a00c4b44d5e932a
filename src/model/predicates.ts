// The state tests of fs/pnode.h and fs/mount.h, one line each. Nothing else in the model reads the
// raw flag fields of a Mount to decide anything.
import { MNT_LOCKED, MNT_READONLY, type Mount, type Path } from './types.js';

/** IS_MNT_SHARED: the mount is a member of a peer group. */
export const isShared = (m: Mount): boolean => m.shared;

/** IS_MNT_SLAVE: the mount receives propagation from a master. */
export const isSlave = (m: Mount): boolean => m.master !== null;

/** Neither shared nor a slave. */
export const isPrivate = (m: Mount): boolean => !isShared(m) && !isSlave(m);

/** IS_MNT_NEW: the mount is not (yet, or any more) part of a namespace. */
export const isNew = (m: Mount): boolean => m.ns === null;

/** is_mounted(): the mount is part of a namespace. */
export const isMounted = (m: Mount): boolean => m.ns !== null;

/** IS_MNT_LOCKED: the mount is locked to its parent (MNT_LOCKED). */
export const isLocked = (m: Mount): boolean => (m.mntFlags & MNT_LOCKED) !== 0;

/** IS_MNT_UNBINDABLE. */
export const isUnbindable = (m: Mount): boolean => m.unbindable;

/** IS_MNT_MARKED. */
export const isMarked = (m: Mount): boolean => m.marked;

/** is_candidate(): propagate_umount() is still deciding about the mount. */
export const isCandidate = (m: Mount): boolean => m.candidate;

/** will_be_unmounted(): the current umount takes the mount out. */
export const willBeUnmounted = (m: Mount): boolean => m.umounting;

/** peers(): both mounts are in one peer group. */
export const peers = (a: Mount, b: Mount): boolean => a.groupId !== 0 && a.groupId === b.groupId;

/** __mnt_is_readonly(): nothing can be created through the mount (MNT_READONLY, or SB_RDONLY on its superblock). */
export const mntIsReadonly = (m: Mount): boolean => (m.mntFlags & MNT_READONLY) !== 0 || m.sb.readOnly;

/** mnt_has_parent(): the mount is attached under another (it is not a namespace root). */
export const hasParent = (m: Mount): boolean => m.parent !== null;

/** Whether the mount has any child mounts (!list_empty(&mnt->mnt_mounts)). */
export const hasChildren = (m: Mount): boolean => m.firstChild !== null;

/** list_is_singular(&mnt->mnt_mounts): exactly one child mount. */
export const hasOneChild = (m: Mount): boolean => m.firstChild !== null && m.firstChild === m.lastChild;

/** Whether the mount has slaves (!hlist_empty(&mnt->mnt_slave_list)). */
export const hasSlaves = (m: Mount): boolean => m.firstSlave !== null;

/** path_mounted(): the path is the root of its mount. */
export const isMountRoot = (path: Path): boolean => path.dentry === path.mount.root;
