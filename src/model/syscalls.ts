// The system calls the model answers, after fs/namespace.c. Each runs in two phases:
// - prepare: look the paths up and make every check the kernel makes, in the kernel's order,
//   including the fs.mount-max count of every mount the operation would add (copies included);
//   nothing changes, and a refusal throws here;
// - commit: the kernel's algorithm (mounts.ts, pnode.ts), which can no longer fail.
// So a refused operation leaves the namespace exactly as it was.
import { cloneMnt, copyTree, copyTreeSize } from './clone.js';
import { dLookup, dMkdir, dMknod, dRmdir, dentryPath } from './dcache.js';
import { attachRecursiveMnt, changeType, joinGroup, setMountAttributes, umountTree, whereToMount } from './mounts.js';
import { longerThan, lookupPath, makeDirectory, makeFile, PATH_MAX, traverseMounts, utf8Length, type Fail } from './namei.js';
import { countSecondaries, propagateMountBusy } from './pnode.js';
import { hasParent, isMountRoot, isShared, isSlave, isUnbindable, mntIsReadonly } from './predicates.js';
import { MountPointPaths } from './proc.js';
import { mountIsAncestor, mountTree } from './tree.js';
import { brokenSetGroupRule, setGroupRule, type SetGroupCall, type SetGroupSide } from '../core/set-group-rules.js';
import type { MountFlag, NewMountOptions, Propagation } from '../core/namespace.js';
import {
  MNT_ATIME_MASK,
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
} from './types.js';

/** A place named by path, or held by a pin (the kernel's O_PATH fd): its Path, and how errors show it. */
export type Place = string | { pinned: Path; shown: string };

/** How errors name a place. */
export function shownAs(place: Place): string {
  return typeof place === 'string' ? place : place.shown;
}

/** The Path a place names: looked up now, or held since it was pinned (perhaps since unmounted). */
function placePath(ns: MntNamespace, place: Place, fail: Fail): Path {
  return typeof place === 'string' ? lookupPath(ns, place, fail) : place.pinned;
}

/** check_mnt(): the Path a place names, which must still be mounted (a pin may hold one since unmounted: EINVAL). */
function mountedPlacePath(ns: MntNamespace, place: Place, fail: Fail): Path {
  const path = placePath(ns, place, fail);
  if (!path.mount.attached) fail('EINVAL', setGroupRule.notMounted('target'));
  return path;
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

/** Where a mount of the namespace is mounted, as mountinfo shows it. */
function mountPointOf(ns: MntNamespace, m: Mount): string {
  return new MountPointPaths(ns.root).of(m);
}

/**
 * The prepare half of attach_recursive_mnt(): count_mounts() for the tree (unless it is moved,
 * and so already counted) and for every copy propagation will make. Returns the number of copies.
 */
function prepareAttach(ns: MntNamespace, where: Path, size: number, moving: boolean, fail: Fail): number {
  const copies = isShared(where.mount) ? countSecondaries(where.mount, where.dentry) : 0;
  const added = (moving ? 0 : size) + copies * size;
  const total = ns.mounts.size + added;
  if (total > ns.mountMax) {
    fail('ENOSPC', `the namespace would hold ${total} mounts (${added} new, ${copies} of them copies for propagation), more than fs.mount-max (${ns.mountMax})`);
  }
  return copies;
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
export function doMkdir(ns: MntNamespace, path: string, recursive: boolean, fail: Fail): void {
  makeDirectory(ns, path, recursive, fail);
}

/** mknod(2) S_IFREG: an empty regular file, unless a non-directory is there already. */
export function doCreateFile(ns: MntNamespace, path: string, fail: Fail): void {
  makeFile(ns, path, fail);
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

/** unlinkat(2) AT_REMOVEDIR (vfs_rmdir()): the empty directory `name` of `dir` goes, unless a mount covers it. */
export function doRmdirAt(ns: MntNamespace, dir: Path, name: string, fail: Fail): void {
  const dentry = dLookup(dir.dentry, name);
  if (dentry === undefined) fail('ENOENT', `'${name}' does not exist`);
  if (dentry.children.size > 0) fail('ENOTEMPTY', `'${name}' is not empty`);
  if (isMountpoint(ns, dentry)) fail('EBUSY', `'${name}' has a mount on it`);
  if (mntIsReadonly(dir.mount)) fail('EROFS', `'${name}' is on a read-only mount`);
  dRmdir(dentry);
}

/** do_new_mount(): a fresh superblock of `fsType` mounted on top of whatever is at `target`. */
export function doNewMount(
  ns: MntNamespace,
  filesystems: ReadonlySet<string>,
  fsType: string,
  source: string,
  target: Place,
  options: NewMountOptions,
  fail: Fail,
): Mount {
  copyMountString(fsType, 'filesystem type', fail);
  copyMountString(source, 'source', fail);
  const path = mountedPlacePath(ns, target, fail);
  if (!filesystems.has(fsType)) {
    fail('ENODEV', `no filesystem type '${fsType}' (the model makes superblocks of: ${[...filesystems].join(', ')})`);
  }
  const where = whereToMount(path);
  if (!where.dentry.isDirectory) fail('ENOTDIR', `'${shownAs(target)}' is a file: a new filesystem's root, a directory, cannot be mounted on it`);
  const copies = prepareAttach(ns, where, 1, false, fail);

  const flags = options.flags ?? [];
  const sbOptions = parseSbFlags(options.data ?? '', flags.includes('ro'));
  const sb = ns.allocSuperblock(fsType, sbOptions.data, sbOptions.readOnly);
  const mnt = ns.allocMount(sb.root, source, pathMountFlags(flags));
  attachRecursiveMnt(ns, mnt, where.mount, where.dentry, copies);
  return mnt;
}

/** do_loopback(): mount --bind (a clone of the mount at `source`) or --rbind (a copy of its tree), on top of `target`. */
export function doLoopback(ns: MntNamespace, source: Place, target: Place, recursive: boolean, fail: Fail): Mount {
  if (typeof source === 'string') copyMountString(source, 'source', fail);
  const targetPath = mountedPlacePath(ns, target, fail);
  const old = placePath(ns, source, fail);
  const where = whereToMount(targetPath);
  if (isUnbindable(old.mount)) fail('EINVAL', `the source '${shownAs(source)}' is on an unbindable mount, which cannot be bound`);
  checkSameType(where, old.dentry, shownAs(target), fail);
  const size = recursive ? copyTreeSize(old.mount, old.dentry) : 1;
  const copies = prepareAttach(ns, where, size, false, fail);

  const mnt = recursive ? copyTree(ns, old.mount, old.dentry, 0) : cloneMnt(ns, old.mount, old.dentry, 0);
  attachRecursiveMnt(ns, mnt, where.mount, where.dentry, copies);
  return mnt;
}

/** do_move_mount() (mount --move): the mount at `source`, with everything on it, moves on top of `target`. */
export function doMoveMount(ns: MntNamespace, source: string, target: string, fail: Fail): void {
  copyMountString(source, 'source', fail);
  const targetPath = lookupPath(ns, target, fail);
  const oldPath = lookupPath(ns, source, fail);
  const where = whereToMount(targetPath);
  const old = oldPath.mount;
  if (!hasParent(old)) fail('EINVAL', `the source '${source}' is the root of the namespace, which cannot be moved`);
  if (isShared(old.parent!)) {
    fail('EINVAL', `the source's parent mount '${mountPointOf(ns, old.parent!)}' is shared; a mount inside a shared mount cannot be moved (make the parent private first)`);
  }
  if (!isMountRoot(oldPath)) fail('EINVAL', `the source '${source}' is not a mount point (it lies inside the mount at '${mountPointOf(ns, old)}')`);
  /* a directory moves only onto a directory, a file onto a file (EINVAL here, not graft_tree()'s ENOTDIR) */
  if (where.dentry.isDirectory !== oldPath.dentry.isDirectory) fail('EINVAL', `the source '${source}' and the destination '${target}' are not both directories or both files`);
  if (isShared(where.mount) && treeContainsUnbindable(old)) {
    fail('EINVAL', 'the destination is shared and the tree being moved contains an unbindable mount, which would be copied by propagation');
  }
  if (mountIsAncestor(old, where.mount)) fail('ELOOP', `the destination '${target}' lies inside the mount being moved`);
  const copies = prepareAttach(ns, where, treeSize(old), true, fail);

  attachRecursiveMnt(ns, old, where.mount, where.dentry, copies);
}

/**
 * do_umount(): umount2(target, lazy ? MNT_DETACH : 0). Without MNT_DETACH a mount with submounts
 * is busy; with it the whole tree goes. Either way propagation takes the copies on the mounts
 * that receive from the parent along, except copies with something else mounted inside them.
 * Unmounting the process's root without MNT_DETACH remounts its filesystem read-only instead.
 */
export function doUmount(ns: MntNamespace, target: Place, lazy: boolean, fail: Fail): void {
  const path = traverseMounts(mountedPlacePath(ns, target, fail));
  if (!isMountRoot(path)) fail('EINVAL', `'${shownAs(target)}' is not a mount point`);
  const mnt = path.mount;
  if (mnt === ns.root && !lazy) {
    mnt.sb.readOnly = true;
    return;
  }
  if (!hasParent(mnt)) fail('EINVAL', 'the root of the namespace cannot be detached');
  // The kernel passes 2: the mount's own reference and the one its lookup took, which the model does not count.
  if (!lazy && propagateMountBusy(mnt, 1)) {
    fail('EBUSY', `'${shownAs(target)}' has mounts on it or is held (by a pin, here or on a copy propagation would take); unmount or let go of those first, or detach it (umount -l)`);
  }

  umountTree(ns, mnt, true);
}

/**
 * do_reconfigure_mnt() (mount(2) MS_REMOUNT | MS_BIND): the mount whose root is `target` gets the
 * per-mount flags `flags` ask for, and nothing else changes: not its superblock (a read-only mount
 * of a writable superblock stays writable through its other mounts), not its peers or copies (a
 * remount does not propagate), not its children. The model has no locked flags (EPERM).
 */
export function doReconfigureMnt(ns: MntNamespace, target: Place, flags: readonly MountFlag[], fail: Fail): void {
  const path = mountedPlacePath(ns, target, fail);
  /* path_mounted(): the path is the root of its mount */
  if (!isMountRoot(path)) fail('EINVAL', `'${shownAs(target)}' is not a mount point; a bind remount changes the flags of whole mounts`);

  setMountAttributes(path.mount, pathMountFlags(flags, path.mount));
}

/** do_change_type(): mount --make-[r]shared|slave|private|unbindable on the mount whose root is `target`. */
export function doChangeType(ns: MntNamespace, target: Place, type: Propagation, recursive: boolean, fail: Fail): void {
  const path = mountedPlacePath(ns, target, fail);
  if (!isMountRoot(path)) fail('EINVAL', `'${shownAs(target)}' is not a mount point; propagation belongs to whole mounts`);

  changeType(ns, path.mount, type, recursive);
}

/** What set-group's rules look at of one side: the mount `path` landed on, as mountinfo would show it. */
function setGroupSide(ns: MntNamespace, place: Place, path: Path): SetGroupSide {
  const m = path.mount;
  const side: SetGroupSide = {
    shown: shownAs(place),
    mounted: m.attached,
    capable: true,
    isRoot: isMountRoot(path),
    mountPoint: () => mountPointOf(ns, m),
    superblock: `0:${m.sb.minor}`,
    root: dentryPath(m.root),
  };
  if (isShared(m)) side.shared = m.groupId;
  if (isSlave(m)) side.master = m.master!.groupId;
  return side;
}

/**
 * do_set_group() (move_mount(MOVE_MOUNT_SET_GROUP)): the private mount at `target` joins the peer
 * group of the mount at `source` and becomes a slave of its master. Both paths are looked up first,
 * as move_mount() does, then set-group's rules are walked in the kernel's order
 * (core/set-group-rules.ts). The caller has CAP_SYS_ADMIN over everything and nothing is locked.
 */
export function doSetGroup(ns: MntNamespace, source: Place, target: Place, fail: Fail): void {
  const fromPath = placePath(ns, source, fail);
  const toPath = placePath(ns, target, fail);
  const call: SetGroupCall = {
    source: setGroupSide(ns, source, fromPath),
    target: setGroupSide(ns, target, toPath),
    callerMayMount: true,
    lockedChildrenAtTargetRoot: false,
  };
  const broken = brokenSetGroupRule(call);
  if (broken) fail(broken.code, broken.reason(call));

  joinGroup(fromPath.mount, toPath.mount);
}
