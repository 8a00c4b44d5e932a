// The system calls the model answers, after fs/namespace.c, each made by a process (`task`: the
// kernel's current) in its own mount namespace. Each runs in two phases:
// - prepare: look the paths up and make every check the kernel makes, in the kernel's order —
//   the capability checks (may_mount(), may_change_propagation(), mount_capable()), the checks
//   that a mount is in the caller's namespace (check_mnt()), the locks a less privileged
//   namespace's mounts carry, and the fs.mount-max count of every mount the operation would add to
//   each namespace (copies included); nothing changes, and a refusal throws here;
// - commit: the kernel's algorithm (mounts.ts, pnode.ts), which can no longer fail.
// So a refused operation leaves every namespace exactly as it was.
import { capableOverMntNs, mayMount, nsCapable } from './capability.js';
import { cloneMnt, copyTree, copyTreeMeetsLockedUnbindable, copyTreeSize } from './clone.js';
import { dLookup, dMkdir, dMknod, dRmdir, dentryPath, isSubdir } from './dcache.js';
import { childrenOf } from './lists.js';
import { attachRecursiveMnt, changeType, joinGroup, setMountAttributes, umountTree, whereToMount } from './mounts.js';
import { longerThan, lookupPath, makeDirectory, makeFile, PATH_MAX, traverseMounts, utf8Length, type Fail } from './namei.js';
import { moveFromNamespace, propagateMountBusy, secondaryReceivers } from './pnode.js';
import { hasParent, isLocked, isMounted, isMountRoot, isShared, isSlave, isUnbindable, mntIsReadonly } from './predicates.js';
import { MountPointPaths } from './proc.js';
import { mountIsAncestor, mountTree } from './tree.js';
import { brokenSetGroupRule, setGroupRule, type SetGroupCall, type SetGroupSide } from '../core/set-group-rules.js';
import type { MountFlag, NewMountOptions, Propagation } from '../core/namespace.js';
import {
  MNT_ATIME_MASK,
  MNT_LOCK_ATIME,
  MNT_LOCK_NODEV,
  MNT_LOCK_NOEXEC,
  MNT_LOCK_NOSUID,
  MNT_LOCK_READONLY,
  MNT_NOATIME,
  MNT_NODEV,
  MNT_NODIRATIME,
  MNT_NOEXEC,
  MNT_NOSUID,
  MNT_NOSYMFOLLOW,
  MNT_READONLY,
  MNT_RELATIME,
  type Dentry,
  type MntNamespace,
  type Mount,
  type Path,
  type Task,
} from './types.js';

/** A place named by path, or held by a pin (the kernel's O_PATH fd): its Path, and how errors show it. */
export type Place = string | { pinned: Path; shown: string };

/** How errors name a place. */
export function shownAs(place: Place): string {
  return typeof place === 'string' ? place : place.shown;
}

/** The Path a place names for `task`: looked up now, or held since it was pinned (perhaps since unmounted). */
function placePath(task: Task, place: Place, fail: Fail): Path {
  return typeof place === 'string' ? lookupPath(task, place, fail) : place.pinned;
}

/** check_mnt(): the mount is in the caller's own mount namespace. */
const checkMnt = (task: Task, m: Mount): boolean => m.ns === task.mntNs;

/** may_mount(): every mount(2), umount(2) and move_mount(2) needs CAP_SYS_ADMIN over the caller's own namespace (EPERM). */
function checkMayMount(task: Task, fail: Fail): void {
  if (!mayMount(task)) {
    fail('EPERM', "the caller lacks CAP_SYS_ADMIN over the user namespace that owns its own mount namespace (it entered a child user namespace without entering one of that namespace's mount namespaces)");
  }
}

/** check_mnt() as a refusal (EINVAL): the operation acts on mounts of the caller's own namespace only (a pin may hold one since unmounted). */
function checkOwnNamespace(task: Task, m: Mount, what: string, fail: Fail): void {
  if (checkMnt(task, m)) return;
  if (!isMounted(m)) fail('EINVAL', setGroupRule.notMounted('target'));
  fail('EINVAL', `${what} is a mount of another mount namespace; only set-group and --make-* reach across namespaces (run the command in that namespace: nsenter)`);
}

/**
 * may_change_propagation(): --make-* acts on a mount of any namespace whose owner the caller has
 * CAP_SYS_ADMIN over (EPERM), as long as it is mounted in one (EINVAL).
 */
function mayChangePropagation(task: Task, m: Mount, fail: Fail): void {
  if (!isMounted(m)) fail('EINVAL', setGroupRule.notMounted('target'));
  if (!capableOverMntNs(task, m.ns!)) fail('EPERM', setGroupRule.noCapability('target'));
}

/** The number of mounts in the tree under `mnt`. */
function treeSize(mnt: Mount): number {
  let count = 0;
  for (const _ of mountTree(mnt)) count++;
  return count;
}

/** tree_contains_unbindable(). */
function treeContainsUnbindable(mnt: Mount): boolean {
  for (const m of mountTree(mnt)) if (isUnbindable(m)) return true;
  return false;
}

/** Where a mount of a namespace is mounted, as its namespace's mountinfo shows it. */
function mountPointOf(m: Mount): string {
  return new MountPointPaths(m.ns!.root).of(m);
}

/**
 * The prepare half of attach_recursive_mnt(): count_mounts() for the tree in `where`'s namespace
 * (unless it is moved, and so already counted) and for every copy propagation will make, in the
 * namespace each lands in. Returns the number of copies.
 */
function prepareAttach(task: Task, where: Path, size: number, moving: boolean, fail: Fail): number {
  const receivers = isShared(where.mount) ? secondaryReceivers(where.mount, where.dentry) : [];
  const added = new Map<MntNamespace, { mounts: number; copies: number }>([[where.mount.ns!, { mounts: moving ? 0 : size, copies: 0 }]]);
  for (const receiver of receivers) {
    const count = added.get(receiver.ns!) ?? { mounts: 0, copies: 0 };
    count.mounts += size;
    count.copies++;
    added.set(receiver.ns!, count);
  }
  const max = task.mntNs.kernel.mountMax;
  for (const [ns, { mounts, copies }] of added) {
    const total = ns.mounts.size + mounts;
    if (total <= max) continue;
    const which = ns === task.mntNs ? 'the namespace' : 'a namespace the mount propagates to';
    fail('ENOSPC', `${which} would hold ${total} mounts (${mounts} new, ${copies * size} of them copies for propagation), more than fs.mount-max (${max})`);
  }
  return receivers.length;
}

/**
 * vfs_parse_sb_flag() over mount(2)'s data: "ro" and "rw" set the superblock's read-only state (the
 * mount's own comes from MS_RDONLY alone); the other options stay, for the filesystem.
 */
function parseSbFlags(data: string, readOnly: boolean): { readOnly: boolean; data: string } {
  const rest: string[] = [];
  for (const option of data.split(',')) {
    if (option === 'ro' || option === 'rw') readOnly = option === 'ro';
    else if (option !== '') rest.push(option);
  }
  return { readOnly, data: rest.join(',') };
}

/** The MS_* bits that set one per-mount flag each (path_mount(): "Separate the per-mountpoint flags"). */
const mountpointFlags: readonly (readonly [MountFlag, number])[] = [
  ['nosuid', MNT_NOSUID],
  ['nodev', MNT_NODEV],
  ['noexec', MNT_NOEXEC],
  ['noatime', MNT_NOATIME],
  ['nodiratime', MNT_NODIRATIME],
  ['ro', MNT_READONLY],
  ['nosymfollow', MNT_NOSYMFOLLOW],
];

/** The MS_* bits that name an atime mode: a remount naming none keeps the mount's. */
const atimeFlags: readonly MountFlag[] = ['noatime', 'nodiratime', 'relatime', 'strictatime'];

/**
 * path_mount(): the per-mount flags a mount(2) call with the MS_* bits `flags` gives a mount:
 * relatime unless noatime, strictatime clearing both, and for a remount of `remounted` that names
 * no atime bit, the atime flags it has.
 */
function pathMountFlags(flags: readonly MountFlag[], remounted?: Mount): number {
  const given = new Set(flags);
  /* Default to relatime unless overriden */
  let mntFlags = given.has('noatime') ? 0 : MNT_RELATIME;
  for (const [flag, mntFlag] of mountpointFlags) if (given.has(flag)) mntFlags |= mntFlag;
  if (given.has('strictatime')) mntFlags &= ~(MNT_RELATIME | MNT_NOATIME);
  /* The default atime for remount is preservation */
  if (remounted !== undefined && !atimeFlags.some((flag) => given.has(flag))) {
    mntFlags = (mntFlags & ~MNT_ATIME_MASK) | (remounted.mntFlags & MNT_ATIME_MASK);
  }
  return mntFlags;
}

/** copy_mount_string(): mount(2) copies its source and type with strndup_user(PATH_MAX); one that does not fit is EINVAL. */
function copyMountString(value: string, what: 'source' | 'filesystem type', fail: Fail): void {
  if (longerThan(value, PATH_MAX - 1)) fail('EINVAL', `the ${what} is ${utf8Length(value)} bytes long; mount(2) copies at most PATH_MAX (${PATH_MAX}) bytes of it`);
}

/** graft_tree(): a directory is mounted only on a directory, a file only on a file (ENOTDIR). */
function checkSameType(where: Path, root: Dentry, shown: string, fail: Fail): void {
  if (where.dentry.isDirectory !== root.isDirectory) {
    fail('ENOTDIR', root.isDirectory ? `'${shown}' is a file: a directory cannot be mounted on it` : `'${shown}' is a directory: a file cannot be mounted on it`);
  }
}

/** mkdir(2). */
export function doMkdir(task: Task, path: string, recursive: boolean, fail: Fail): void {
  makeDirectory(task, path, recursive, fail);
}

/** mknod(2) S_IFREG: an empty regular file, unless a non-directory is there already. */
export function doCreateFile(task: Task, path: string, fail: Fail): void {
  makeFile(task, path, fail);
}

/** mkdirat(2): directory `name` in the directory `dir` (its own dentry, not what is mounted on it). */
export function doMkdirAt(dir: Path, name: string, fail: Fail): void {
  if (!dir.dentry.isDirectory) fail('ENOTDIR', `'${name}' would be made in a file`);
  if (dLookup(dir.dentry, name) !== undefined) fail('EEXIST', `'${name}' exists`);
  if (mntIsReadonly(dir.mount)) fail('EROFS', `'${name}' would be created on a read-only mount`);
  dMkdir(dir.dentry, name);
}

/** mknodat(2) S_IFREG in the directory `dir`: an empty regular file `name`, unless a non-directory is there already (EEXIST for a directory). */
export function doCreateFileAt(dir: Path, name: string, fail: Fail): void {
  if (!dir.dentry.isDirectory) fail('ENOTDIR', `'${name}' would be made in a file`);
  const there = dLookup(dir.dentry, name);
  if (there?.isDirectory) fail('EEXIST', `'${name}' exists and is a directory`);
  if (there) return;
  if (mntIsReadonly(dir.mount)) fail('EROFS', `'${name}' would be created on a read-only mount`);
  dMknod(dir.dentry, name);
}

/** d_mountpoint() in the namespace: some attached mount covers `dentry`. */
function isMountpoint(ns: MntNamespace, dentry: Dentry): boolean {
  for (const m of ns.mounts) if (m.mountpoint === dentry) return true;
  return false;
}

/** unlinkat(2) AT_REMOVEDIR (vfs_rmdir()): the empty directory `name` of `dir` goes, unless a mount of the caller's namespace covers it. */
export function doRmdirAt(task: Task, dir: Path, name: string, fail: Fail): void {
  const dentry = dLookup(dir.dentry, name);
  if (dentry === undefined) fail('ENOENT', `'${name}' does not exist`);
  if (dentry.children.size > 0) fail('ENOTEMPTY', `'${name}' is not empty`);
  if (isMountpoint(task.mntNs, dentry)) fail('EBUSY', `'${name}' has a mount on it`);
  if (mntIsReadonly(dir.mount)) fail('EROFS', `'${name}' is on a read-only mount`);
  dRmdir(dentry);
}

/** The filesystems whose FS_USERNS_MOUNT lets the root of a child user namespace mount them. */
const userNamespaceMountable: ReadonlySet<string> = new Set(['tmpfs', 'ramfs']);

/** mount_capable(): a new superblock needs CAP_SYS_ADMIN in the initial user namespace, unless its filesystem is FS_USERNS_MOUNT (EPERM). */
function checkMountCapable(task: Task, fsType: string, fail: Fail): void {
  if (userNamespaceMountable.has(fsType) || nsCapable(task.userNs, task.mntNs.kernel.initUserNs)) return;
  fail('EPERM', `a '${fsType}' filesystem can be mounted only with CAP_SYS_ADMIN in the initial user namespace (only ${[...userNamespaceMountable].join(' and ')} mount inside a user namespace)`);
}

/** do_new_mount(): a fresh superblock of `fsType` mounted on top of whatever is at `target`. */
export function doNewMount(task: Task, fsType: string, source: string, target: Place, options: NewMountOptions, fail: Fail): Mount {
  copyMountString(fsType, 'filesystem type', fail);
  copyMountString(source, 'source', fail);
  const path = placePath(task, target, fail);
  checkMayMount(task, fail);
  const k = task.mntNs.kernel;
  if (!k.filesystems.has(fsType)) {
    fail('ENODEV', `no filesystem type '${fsType}' (the model makes superblocks of: ${[...k.filesystems].join(', ')})`);
  }
  checkMountCapable(task, fsType, fail);
  const where = whereToMount(path);
  checkOwnNamespace(task, where.mount, `the target '${shownAs(target)}'`, fail);
  if (!where.dentry.isDirectory) fail('ENOTDIR', `'${shownAs(target)}' is a file: a new filesystem's root, a directory, cannot be mounted on it`);
  const copies = prepareAttach(task, where, 1, false, fail);

  const flags = options.flags ?? [];
  const sbOptions = parseSbFlags(options.data ?? '', flags.includes('ro'));
  const sb = k.allocSuperblock(fsType, sbOptions.data, sbOptions.readOnly);
  const mnt = k.allocMount(sb.root, source, pathMountFlags(flags));
  attachRecursiveMnt(k, task.mntNs.userNs, mnt, where.mount, where.dentry, copies);
  return mnt;
}

/** __has_locked_children(): a mount locked to `mnt` sits at or below `dentry` (binding `dentry` alone would reveal what it covers). */
function hasLockedChildren(mnt: Mount, dentry: Dentry): boolean {
  for (const child of childrenOf(mnt)) if (isSubdir(child.mountpoint!, dentry) && isLocked(child)) return true;
  return false;
}

/** do_loopback(): mount --bind (a clone of the mount at `source`) or --rbind (a copy of its tree), on top of `target`. */
export function doLoopback(task: Task, source: Place, target: Place, recursive: boolean, fail: Fail): Mount {
  if (typeof source === 'string') copyMountString(source, 'source', fail);
  const targetPath = placePath(task, target, fail);
  checkMayMount(task, fail);
  const old = placePath(task, source, fail);
  const where = whereToMount(targetPath);
  checkOwnNamespace(task, where.mount, `the target '${shownAs(target)}'`, fail);
  if (isUnbindable(old.mount)) fail('EINVAL', `the source '${shownAs(source)}' is on an unbindable mount, which cannot be bound`);
  /* may_copy_tree() */
  checkOwnNamespace(task, old.mount, `the source '${shownAs(source)}'`, fail);
  if (!recursive && hasLockedChildren(old.mount, old.dentry)) {
    fail('EINVAL', `mounts locked in this namespace (inherited from a more privileged one) sit inside the source '${shownAs(source)}'; a bind without them would reveal what they cover (use --rbind)`);
  }
  if (recursive && copyTreeMeetsLockedUnbindable(old.mount, old.dentry)) {
    fail('EPERM', `the tree at '${shownAs(source)}' holds a mount that is both unbindable and locked: an rbind can neither copy it nor leave it out`);
  }
  checkSameType(where, old.dentry, shownAs(target), fail);
  const size = recursive ? copyTreeSize(old.mount, old.dentry) : 1;
  const copies = prepareAttach(task, where, size, false, fail);

  const k = task.mntNs.kernel;
  const mnt = recursive ? copyTree(k, old.mount, old.dentry, 0) : cloneMnt(k, old.mount, old.dentry, 0);
  attachRecursiveMnt(k, task.mntNs.userNs, mnt, where.mount, where.dentry, copies);
  return mnt;
}

/** do_move_mount() (mount --move): the mount at `source`, with everything on it, moves on top of `target`. */
export function doMoveMount(task: Task, source: string, target: string, fail: Fail): void {
  copyMountString(source, 'source', fail);
  const targetPath = lookupPath(task, target, fail);
  checkMayMount(task, fail);
  const oldPath = lookupPath(task, source, fail);
  const where = whereToMount(targetPath);
  const old = oldPath.mount;
  /* The mountpoint must be in our namespace. */
  checkOwnNamespace(task, where.mount, `the destination '${target}'`, fail);
  if (!hasParent(old)) fail('EINVAL', `the source '${source}' is the root of a namespace (or not mounted), which cannot be moved`);
  checkOwnNamespace(task, old, `the source '${source}'`, fail);
  if (isLocked(old)) fail('EINVAL', `the source '${source}' is locked to its parent in this namespace (inherited from a more privileged one), so moving it would reveal what it covers`);
  if (!isMountRoot(oldPath)) fail('EINVAL', `the source '${source}' is not a mount point (it lies inside the mount at '${mountPointOf(old)}')`);
  /* a directory moves only onto a directory, a file onto a file (EINVAL here, not graft_tree()'s ENOTDIR) */
  if (where.dentry.isDirectory !== oldPath.dentry.isDirectory) fail('EINVAL', `the source '${source}' and the destination '${target}' are not both directories or both files`);
  if (isShared(old.parent!)) {
    fail('EINVAL', `the source's parent mount '${mountPointOf(old.parent!)}' is shared; a mount inside a shared mount cannot be moved (make the parent private first)`);
  }
  if (isShared(where.mount) && treeContainsUnbindable(old)) {
    fail('EINVAL', 'the destination is shared and the tree being moved contains an unbindable mount, which would be copied by propagation');
  }
  if (mountIsAncestor(old, where.mount)) fail('ELOOP', `the destination '${target}' lies inside the mount being moved`);
  const copies = prepareAttach(task, where, treeSize(old), true, fail);

  attachRecursiveMnt(task.mntNs.kernel, task.mntNs.userNs, old, where.mount, where.dentry, copies);
}

/**
 * open_tree(OPEN_TREE_CLONE) (open_detached_copy()): a copy of the mount at `source` showing the
 * directory it names, as a bind would make it (__do_loopback(): a peer of a shared source, a slave
 * of its master), detached: the root of a new anonymous namespace owned by the caller's
 * namespace's owner, which only the returned mount's file holds. EPERM without may_mount(); EINVAL
 * for an unbindable source, one of another namespace (may_copy_tree()), or one with locked mounts
 * inside it (__has_locked_children()).
 */
export function doOpenTreeClone(task: Task, source: Place, fail: Fail): Mount {
  const old = placePath(task, source, fail);
  checkMayMount(task, fail);
  if (isUnbindable(old.mount)) fail('EINVAL', `the source '${shownAs(source)}' is on an unbindable mount, which cannot be copied`);
  /* may_copy_tree() */
  checkOwnNamespace(task, old.mount, `the source '${shownAs(source)}'`, fail);
  if (hasLockedChildren(old.mount, old.dentry)) {
    fail('EINVAL', `mounts locked in this namespace (inherited from a more privileged one) sit inside the source '${shownAs(source)}'; a copy without them would reveal what they cover`);
  }

  const k = task.mntNs.kernel;
  const mnt = cloneMnt(k, old.mount, old.dentry, 0);
  const ns = k.allocMntNs(task.mntNs.userNs, true);
  ns.root = mnt;
  mnt.ns = ns;
  ns.mounts.add(mnt);
  return mnt;
}

/** Takes the mounts of the tree under `root` out of its anonymous namespace (move_from_ns()): they are new again, to be attached. */
function leaveAnonymousNamespace(root: Mount): void {
  for (const m of mountTree(root)) {
    moveFromNamespace(m);
    m.ns = null;
  }
}

/**
 * do_move_mount() as move_mount(2) calls it on two held places: the root of an anonymous
 * namespace (a tree open_tree(OPEN_TREE_CLONE) detached, held by this process or reached through
 * /proc/PID/fd/N) is attached on top of `target`, as a new mount would be (propagated when the
 * target is shared, locked where it lands in a namespace of another owner); an attached mount of
 * the caller's namespace moves there, as mount --move moves it. EINVAL: the target is not in the
 * caller's namespace, the source neither an attached mount of it nor an anonymous namespace's
 * root, locked, not a mount root, not of the target's kind (directory or file), in a shared parent,
 * or holding an unbindable mount for a shared target; ELOOP onto itself.
 */
export function doMoveMountTree(task: Task, source: Place, target: Place, fail: Fail): Mount {
  const oldPath = placePath(task, source, fail);
  const targetPath = placePath(task, target, fail);
  checkMayMount(task, fail);
  const where = whereToMount(targetPath);
  const old = oldPath.mount;
  const attached = hasParent(old);
  /* The mountpoint must be in our namespace. */
  checkOwnNamespace(task, where.mount, `the destination '${shownAs(target)}'`, fail);
  /* The thing moved must be mounted... */
  if (!isMounted(old)) fail('EINVAL', setGroupRule.notMounted('source'));
  /* ... and either ours or the root of anon namespace */
  if (attached ? !checkMnt(task, old) : !old.ns!.anonymous) {
    fail('EINVAL', `the source '${shownAs(source)}' is neither a mount of this namespace nor a detached tree (the root of an anonymous namespace)`);
  }
  if (isLocked(old)) fail('EINVAL', `the source '${shownAs(source)}' is locked to its parent in this namespace (inherited from a more privileged one), so moving it would reveal what it covers`);
  if (!isMountRoot(oldPath)) fail('EINVAL', `the source '${shownAs(source)}' is not the root of a mount`);
  if (where.dentry.isDirectory !== oldPath.dentry.isDirectory) fail('EINVAL', `the source '${shownAs(source)}' and the destination '${shownAs(target)}' are not both directories or both files`);
  if (attached && isShared(old.parent!)) {
    fail('EINVAL', `the source's parent mount '${mountPointOf(old.parent!)}' is shared; a mount inside a shared mount cannot be moved (make the parent private first)`);
  }
  if (isShared(where.mount) && treeContainsUnbindable(old)) {
    fail('EINVAL', 'the destination is shared and the tree being moved contains an unbindable mount, which would be copied by propagation');
  }
  if (mountIsAncestor(old, where.mount)) fail('ELOOP', `the destination '${shownAs(target)}' lies inside the mount being moved`);
  const copies = prepareAttach(task, where, treeSize(old), attached, fail);

  if (!attached) leaveAnonymousNamespace(old);
  attachRecursiveMnt(task.mntNs.kernel, task.mntNs.userNs, old, where.mount, where.dentry, copies);
  return old;
}

/**
 * do_umount(): umount2(target, lazy ? MNT_DETACH : 0). Without MNT_DETACH a mount with submounts
 * or held by a pin or a process's root or working directory is busy; with it the whole tree goes.
 * Either way propagation takes the copies on the mounts that receive from the parent along, in any
 * namespace, except copies with something else mounted inside them (or locked to a parent that
 * stays). Unmounting the process's root without MNT_DETACH remounts its filesystem read-only instead.
 */
export function doUmount(task: Task, target: Place, lazy: boolean, fail: Fail): void {
  const path = traverseMounts(placePath(task, target, fail));
  /* can_umount() */
  checkMayMount(task, fail);
  if (!isMountRoot(path)) fail('EINVAL', `'${shownAs(target)}' is not a mount point`);
  const mnt = path.mount;
  checkOwnNamespace(task, mnt, `'${shownAs(target)}'`, fail);
  if (isLocked(mnt)) fail('EINVAL', `'${shownAs(target)}' is locked to its parent in this namespace (inherited from a more privileged one); unmounting it would reveal what it covers`);
  if (mnt === task.root.mount && !lazy) {
    mnt.sb.readOnly = true;
    return;
  }
  if (!hasParent(mnt)) fail('EINVAL', 'the root of the namespace cannot be detached');
  // The kernel passes 2: the mount's own reference and the one its lookup took, which the model does not count.
  if (!lazy && propagateMountBusy(mnt, 1)) {
    fail('EBUSY', `'${shownAs(target)}' has mounts on it or is held (by a pin or a process's working directory, here or on a copy propagation would take); unmount or let go of those first, or detach it (umount -l)`);
  }

  umountTree(task.mntNs.kernel, mnt, true);
}

/** The lock flag of each per-mount flag a bind remount may not clear (can_change_locked_flags()). */
const lockedFlags: readonly (readonly [number, number, string])[] = [
  [MNT_LOCK_READONLY, MNT_READONLY, 'ro'],
  [MNT_LOCK_NODEV, MNT_NODEV, 'nodev'],
  [MNT_LOCK_NOSUID, MNT_NOSUID, 'nosuid'],
  [MNT_LOCK_NOEXEC, MNT_NOEXEC, 'noexec'],
];

/** can_change_locked_flags(): the flag a lock keeps that `mntFlags` would clear or change, or undefined. */
function lockedFlagChanged(mnt: Mount, mntFlags: number): string | undefined {
  for (const [lock, flag, name] of lockedFlags) if (mnt.mntFlags & lock && !(mntFlags & flag)) return name;
  if (mnt.mntFlags & MNT_LOCK_ATIME && (mnt.mntFlags & MNT_ATIME_MASK) !== (mntFlags & MNT_ATIME_MASK)) return 'the atime mode';
  return undefined;
}

/**
 * do_reconfigure_mnt() (mount(2) MS_REMOUNT | MS_BIND): the mount whose root is `target` gets the
 * per-mount flags `flags` ask for, and nothing else changes: not its superblock (a read-only mount
 * of a writable superblock stays writable through its other mounts), not its peers or copies (a
 * remount does not propagate), not its children. A flag locked in a less privileged namespace
 * cannot be cleared there, nor the atime mode changed (EPERM).
 */
export function doReconfigureMnt(task: Task, target: Place, flags: readonly MountFlag[], fail: Fail): void {
  const path = placePath(task, target, fail);
  checkMayMount(task, fail);
  /* check_mnt(): the mount is in the caller's namespace (a pin may hold one since unmounted) */
  checkOwnNamespace(task, path.mount, `'${shownAs(target)}'`, fail);
  /* path_mounted(): the path is the root of its mount */
  if (!isMountRoot(path)) fail('EINVAL', `'${shownAs(target)}' is not a mount point; a bind remount changes the flags of whole mounts`);
  const mntFlags = pathMountFlags(flags, path.mount);
  const locked = lockedFlagChanged(path.mount, mntFlags);
  if (locked !== undefined) {
    fail('EPERM', `${locked} of '${shownAs(target)}' is locked: the mount came from a more privileged namespace, and a bind remount here may not change that`);
  }

  setMountAttributes(path.mount, mntFlags);
}

/** do_change_type(): mount --make-[r]shared|slave|private|unbindable on the mount whose root is `target`, in any namespace the caller may change. */
export function doChangeType(task: Task, target: Place, type: Propagation, recursive: boolean, fail: Fail): void {
  const path = placePath(task, target, fail);
  checkMayMount(task, fail);
  if (!isMountRoot(path)) fail('EINVAL', `'${shownAs(target)}' is not a mount point; propagation belongs to whole mounts`);
  mayChangePropagation(task, path.mount, fail);

  changeType(task.mntNs.kernel, path.mount, type, recursive);
}

/** What set-group's rules look at of one side: the mount `path` landed on, as mountinfo would show it. */
function setGroupSide(task: Task, place: Place, path: Path): SetGroupSide {
  const m = path.mount;
  const side: SetGroupSide = {
    shown: shownAs(place),
    mounted: isMounted(m),
    capable: isMounted(m) && capableOverMntNs(task, m.ns!),
    isRoot: isMountRoot(path),
    mountPoint: () => mountPointOf(m),
    superblock: `0:${m.sb.minor}`,
    root: dentryPath(m.root),
  };
  if (isShared(m)) side.shared = m.groupId;
  if (isSlave(m)) side.master = m.master!.groupId;
  return side;
}

/**
 * do_set_group() (move_mount(MOVE_MOUNT_SET_GROUP)): the private mount at `target` joins the peer
 * group of the mount at `source` and becomes a slave of its master. The two may be in different
 * namespaces: the caller needs CAP_SYS_ADMIN over each one's. Both paths are looked up first, as
 * setGroup() opens them before either form of the call, then set-group's rules are walked in the
 * kernel's order (core/set-group-rules.ts), may_mount() first.
 */
export function doSetGroup(task: Task, source: Place, target: Place, fail: Fail): void {
  const fromPath = placePath(task, source, fail);
  const toPath = placePath(task, target, fail);
  const call: SetGroupCall = {
    source: setGroupSide(task, source, fromPath),
    target: setGroupSide(task, target, toPath),
    callerMayMount: mayMount(task),
    lockedChildrenAtTargetRoot: hasLockedChildren(fromPath.mount, toPath.mount.root),
  };
  const broken = brokenSetGroupRule(call);
  if (broken) fail(broken.code, broken.reason(call));

  joinGroup(fromPath.mount, toPath.mount);
}
