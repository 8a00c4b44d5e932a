// The model's objects, each the counterpart of a kernel structure: Superblock (struct super_block),
// Dentry (struct dentry), Mount (struct mount), MntNamespace (struct mnt_namespace), UserNamespace
// (struct user_namespace) and Task (a process: its nsproxy, credentials and fs_struct); what the
// kernel keeps global, and allocates them from, is KernelState (kernel-state.ts). Field comments
// carry the kernel name ("kernel note") and the invariants the field obeys between operations;
// assertInvariants() (invariants.ts) checks them over the whole state.
import type { KernelState } from './kernel-state.js';
import type { Ida } from './ida.js';
import type { MountTable } from './lists.js';

/**
 * A filesystem instance: its own directory tree, shared by every mount of it.
 * Invariant: mountCount is the number of live mounts whose sb is this one (attached, or detached
 * and pinned); the minor is held from the superblock's creation until mountCount drops to 0.
 */
export class Superblock {
  /** s_root. */
  readonly root: Dentry;
  /** s_active, counted in mounts: the superblock dies with its last mount. */
  mountCount = 0;

  constructor(
    /** st_dev minor (major 0: an anonymous device, get_anon_bdev()). */
    readonly minor: number,
    /** s_type->name. */
    readonly fsType: string,
    /** The data the filesystem was mounted with, shown after "rw"/"ro" in mountinfo field 11. */
    readonly data: string,
    /** SB_RDONLY. */
    public readOnly: boolean,
  ) {
    this.root = new Dentry(this, '', null);
  }
}

/**
 * A directory or an empty regular file of a superblock (no symlinks). Invariants: parent is null
 * iff this is sb.root; parent.sb === sb; parent is a directory; depth = parent.depth + 1;
 * parent.children.get(name) === this; a file has no children.
 */
export class Dentry {
  /** d_subdirs, by name. */
  readonly children = new Map<string, Dentry>();
  /** Distance from sb.root: makes is_subdir() a walk of the difference only. */
  readonly depth: number;

  constructor(
    readonly sb: Superblock,
    readonly name: string,
    /** d_parent (the kernel points the root at itself). */
    readonly parent: Dentry | null,
    /** d_is_dir(): false for a regular file. */
    readonly isDirectory = true,
  ) {
    this.depth = parent === null ? 0 : parent.depth + 1;
  }
}

/** struct path: a place in the namespace, a dentry seen through a mount. Invariant: dentry.sb === mount.sb. */
export interface Path {
  readonly mount: Mount;
  readonly dentry: Dentry;
}

/* The per-mount flags (mnt_flags, include/linux/mount.h) that mount(2) sets and mountinfo shows. */
/** MNT_NOSUID. */
export const MNT_NOSUID = 0x01;
/** MNT_NODEV. */
export const MNT_NODEV = 0x02;
/** MNT_NOEXEC. */
export const MNT_NOEXEC = 0x04;
/** MNT_NOATIME. */
export const MNT_NOATIME = 0x08;
/** MNT_NODIRATIME. */
export const MNT_NODIRATIME = 0x10;
/** MNT_RELATIME. */
export const MNT_RELATIME = 0x20;
/** MNT_READONLY: the mount is read-only, whatever its superblock is. */
export const MNT_READONLY = 0x40;
/** MNT_NOSYMFOLLOW. */
export const MNT_NOSYMFOLLOW = 0x80;
/** MNT_USER_SETTABLE_MASK: every flag above, which a bind remount replaces as a whole. */
export const MNT_USER_SETTABLE_MASK = 0xff;
/** MNT_ATIME_MASK: the atime flags, which a remount keeps unless it names one. */
export const MNT_ATIME_MASK = MNT_NOATIME | MNT_NODIRATIME | MNT_RELATIME;

/* The lock flags (include/linux/mount.h) lock_mnt_tree() sets on mounts a less privileged mount namespace receives. */
/** MNT_LOCK_ATIME: the atime flags cannot change. */
export const MNT_LOCK_ATIME = 0x040000;
/** MNT_LOCK_NOEXEC: noexec cannot be cleared. */
export const MNT_LOCK_NOEXEC = 0x080000;
/** MNT_LOCK_NOSUID: nosuid cannot be cleared. */
export const MNT_LOCK_NOSUID = 0x100000;
/** MNT_LOCK_NODEV: nodev cannot be cleared. */
export const MNT_LOCK_NODEV = 0x200000;
/** MNT_LOCK_READONLY: read-only cannot be cleared. */
export const MNT_LOCK_READONLY = 0x400000;
/** MNT_LOCKED: the mount cannot be unmounted or moved apart from its parent (it would reveal what it covers). */
export const MNT_LOCKED = 0x800000;
/** Every lock flag: kept by clone_mnt() and by a bind remount (set_mount_attributes()), never cleared. */
export const MNT_LOCK_MASK = MNT_LOCK_ATIME | MNT_LOCK_NOEXEC | MNT_LOCK_NOSUID | MNT_LOCK_NODEV | MNT_LOCK_READONLY | MNT_LOCKED;

/**
 * A mount: a superblock's subtree (from `root` down) attached at a mountpoint of its parent.
 *
 * Invariants between operations (assertInvariants):
 * - tree: parent is null iff this is the namespace root; mountpoint !== null iff parent !== null;
 *   mountpoint.sb === parent.sb and mountpoint lies under parent.root; this is in parent's child
 *   list exactly once and in the chain parent.hashed holds for its mountpoint. One mount per parent
 *   and mountpoint (a new mount goes on top of, or is tucked under, what is there), except under
 *   6.12, whose restore_mounts() can slide two covers down onto one mountpoint.
 * - namespace: ns is the namespace whose root this mount is reachable from, null for a mount in
 *   none (detached, or not yet attached); each mount is in exactly one namespace's table or in
 *   none; umounting, marked and candidate are false. (During umount_tree() the victims leave the
 *   table first and keep their ns until the end, as the kernel clears mnt_ns last.)
 * - peer group: groupId !== 0 iff shared; the peer ring (nextPeer/prevPeer) holds exactly the
 *   mounts with this groupId, all of one superblock; a mount alone points at itself.
 * - slaves: master !== null iff this is in master's slave list; master is shared, is not a peer,
 *   and following masters never comes back (masters form a forest over peer groups); only a
 *   shared mount has slaves; peers of one group that are slaves have one master and sit next to
 *   each other in its slave list ("peer groups form contiguous segments of slave lists").
 * - unbindable implies private: no group, no master.
 * - locks: MNT_LOCKED only on a mount with a parent (lock_mnt_tree() never locks the root of
 *   what it locks), the other lock flags only with the flag they lock where that flag is one.
 */
export class Mount {
  /** mnt_parent (the kernel points a mount without parent at itself). */
  parent: Mount | null = null;
  /** mnt_mountpoint: the dentry of parent.sb this mount covers. */
  mountpoint: Dentry | null = null;

  /** mnt_mounts: the first and last child, in the order they were attached. */
  firstChild: Mount | null = null;
  lastChild: Mount | null = null;
  /** mnt_child: this mount's neighbours in parent's child list. */
  nextSibling: Mount | null = null;
  prevSibling: Mount | null = null;
  /**
   * The mount hash (mount_hashtable) restricted to this parent: per dentry, the head of the chain
   * of children hashed there, the one __lookup_mnt() finds (hlist_add_head() puts the newest first).
   * null until the first child is hashed: most mounts never have one.
   */
  hashed: Map<Dentry, Mount> | null = null;
  /** mnt_hash: the next mount of this one's chain, hashed before it on the same dentry of the same parent (only 6.12 stacks two). */
  nextHashed: Mount | null = null;

  /** mnt_group_id: the peer group, 0 for none. Allocated smallest-free (mnt_group_ida). */
  groupId = 0;
  /** MNT_SHARED (T_SHARED). */
  shared = false;
  /** mnt_share: the ring of peers. */
  nextPeer: Mount = this;
  prevPeer: Mount = this;
  /** mnt_master: the mount this one receives propagation from. */
  master: Mount | null = null;
  /** mnt_slave_list: the first of the mounts whose master this is (an hlist: newest first). */
  firstSlave: Mount | null = null;
  /** mnt_slave: this mount's neighbours in its master's slave list. */
  nextSlave: Mount | null = null;
  prevSlave: Mount | null = null;
  /** T_UNBINDABLE. */
  unbindable = false;
  /**
   * mnt_count beyond the mount's own: the pins (O_PATH fds) held on it. A pinned mount is busy for
   * umount, and lives on detached after a lazy umount until its last pin goes.
   */
  pins = 0;

  /** mnt_node: this mount's neighbours in its namespace's table (MntNamespace.mounts), in mnt_id_unique order. */
  nextInNs: Mount | null = null;
  prevInNs: Mount | null = null;
  /** mnt_ns: the namespace the mount is part of, null for none (IS_MNT_NEW); see MntNamespace.mounts for the table. */
  ns: MntNamespace | null = null;
  /** MNT_UMOUNT: chosen for unmounting by the current umount_tree(). */
  umounting = false;
  /** MNT_MARKED / T_MARKED: a transient mark of propagate_mnt() and propagate_umount(). */
  marked = false;
  /** T_UMOUNT_CANDIDATE: a transient mark of propagate_umount(). */
  candidate = false;

  constructor(
    /** mnt_id: smallest free at creation (mnt_id_ida), freed with the mount. */
    readonly id: number,
    /** mnt_id_unique: creation order, never reused; mountinfo lists mounts in this order. */
    readonly uniqueId: number,
    /** mnt_sb. */
    readonly sb: Superblock,
    /** mnt_root: the directory of sb this mount shows at its mountpoint. Invariant: root.sb === sb. */
    readonly root: Dentry,
    /** mnt_devname: the source, copied to every clone. */
    readonly source: string,
    /**
     * mnt_flags, its user-settable part (MNT_NOSUID... MNT_NOSYMFOLLOW), replaced by a bind remount,
     * and its lock flags (MNT_LOCK_*, MNT_LOCKED), set by lock_mnt_tree() and never cleared but
     * MNT_LOCKED; clone_mnt() copies all but MNT_LOCKED. Invariant: within MNT_USER_SETTABLE_MASK |
     * MNT_LOCK_MASK, never MNT_NOATIME with MNT_RELATIME. (The kernel keeps propagation bits here
     * too; the model has fields for them.)
     */
    public mntFlags: number,
  ) {}
}


/**
 * Whose behaviour the model follows where Linux changed it: 6.18 (the default, the host kernel it
 * is tested against) or 6.12 (Debian's LTS, the patched kernel of the VM). See README.md.
 */
export type KernelVersion = '6.12' | '6.18';

/**
 * struct user_namespace: owns mount namespaces and scopes the credentials of processes. Every
 * process of the model is root in its user namespace, with every capability there and, as
 * ns_capable() grants them, in every user namespace below it (capability.ts).
 * Invariant: level = parent.level + 1; the initial namespace alone has no parent.
 */
export class UserNamespace {
  /** The depth below the initial user namespace (user_ns->level). */
  readonly level: number;

  constructor(
    /** user_ns->parent: the namespace of the process that created this one. */
    readonly parent: UserNamespace | null,
    /**
     * USERNS_SETGROUPS_ALLOWED: setgroups(2) may be called in it (/proc/PID/setgroups says allow).
     * The initial namespace allows it; unshare(1) --map-root-user writes deny before its gid map.
     */
    readonly setgroupsAllowed: boolean,
    /** ns.inum: what /proc/PID/ns/user names it by (creation order here, never reused). */
    readonly inum: number,
  ) {
    this.level = parent === null ? 0 : parent.level + 1;
  }
}

/**
 * A mount namespace (struct mnt_namespace).
 * Invariants: mounts holds exactly the mounts whose ns is this one, in uniqueId order, and they
 * are exactly the mounts reachable from root; root has no parent. users counts the live tasks whose
 * mntNs is this one; a namespace with no users has no mounts (put_mnt_ns() unmounted them all),
 * unless it is anonymous: an anonymous namespace (is_anon_ns(): what open_tree(OPEN_TREE_CLONE)
 * puts its detached copy in) has no process and lives while the file open_tree gave holds its
 * root, which is pinned; it ends empty when its tree is attached elsewhere, or unmounted with that file.
 */
export class MntNamespace {
  /** ns->root (set once the namespace's tree exists). */
  root!: Mount;
  /** ns->ns.count in processes: the namespace lives while one is in it. */
  users = 0;

  constructor(
    /** The kernel this namespace is part of. */
    readonly kernel: KernelState,
    /** ns->user_ns: the user namespace that owns it, over which a caller needs CAP_SYS_ADMIN to change it. */
    readonly userNs: UserNamespace,
    /** ns->seq: creation order, never reused; 0 for an anonymous namespace. */
    readonly seq: number,
    /** ns->mounts, the table by mnt_id_unique (lists.ts). */
    readonly mounts: MountTable,
  ) {}

  /** is_anon_ns(): a namespace of a detached tree (open_tree(OPEN_TREE_CLONE)), which no process is in. */
  get anonymous(): boolean {
    return this.seq === 0;
  }

  /** Whether a process still holds the namespace. */
  get alive(): boolean {
    return this.users > 0;
  }
}

/**
 * An open file of a process: an O_PATH fd on a place (a pin), or the file open_tree(OPEN_TREE_CLONE)
 * gave, which owns the detached tree it holds (FMODE_NEED_UNMOUNT: closing it while the tree is
 * still detached unmounts the tree, dissolve_on_fput()).
 */
export interface OpenFile {
  readonly path: Path;
  readonly ownsDetachedTree: boolean;
}

/**
 * A process: what the model's mount operations act as (current). It holds its namespaces alive,
 * its credentials are root in userNs, and its root and working directory are references on mounts
 * (fs_struct: a mount that is some process's cwd is busy for umount), as are its open files.
 * Invariants: a live task's mntNs has it counted among its users; root, cwd and each open file
 * hold one of their mount's pins; a dead task holds nothing.
 */
export class Task {
  /** Whether the process still runs. */
  alive = true;
  /** files_struct: the open files by fd, the smallest free number handed out next (/proc/PID/fd/N reaches them). */
  readonly files = new Map<number, OpenFile>();

  constructor(
    /** Its process id, as /proc/PID names it. */
    readonly pid: number,
    /** nsproxy->mnt_ns. */
    public mntNs: MntNamespace,
    /** cred->user_ns: the user namespace the process is root in. */
    public userNs: UserNamespace,
    /** fs->root: where absolute paths start. */
    public root: Path,
    /** fs->pwd. */
    public cwd: Path,
    /** The fd numbers of `files` (an Ida from 0). */
    readonly fdNumbers: Ida,
  ) {}
}
