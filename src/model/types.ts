// The model's objects, each the counterpart of a kernel structure: Superblock (struct super_block),
// Dentry (struct dentry), Mount (struct mount), MntNamespace (struct mnt_namespace plus the IDAs
// that fs/namespace.c keeps global). Field comments carry the kernel name ("kernel note") and the
// invariants the field obeys between operations; assertInvariants() (invariants.ts) checks them.
import { Ida } from './ida.js';
import { MountTable } from './lists.js';

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

/**
 * A mount: a superblock's subtree (from `root` down) attached at a mountpoint of its parent.
 *
 * Invariants between operations (assertInvariants):
 * - tree: parent is null iff this is the namespace root; mountpoint !== null iff parent !== null;
 *   mountpoint.sb === parent.sb and mountpoint lies under parent.root; this is in parent's child
 *   list exactly once and in the chain parent.hashed holds for its mountpoint. One mount per parent
 *   and mountpoint (a new mount goes on top of, or is tucked under, what is there), except under
 *   6.12, whose restore_mounts() can slide two covers down onto one mountpoint.
 * - namespace: attached is true for every mount reachable from the root and for no other;
 *   umounting, marked and candidate are false. (During umount_tree() the victims leave the
 *   table first and stay attached until the end, as the kernel clears mnt_ns last.)
 * - peer group: groupId !== 0 iff shared; the peer ring (nextPeer/prevPeer) holds exactly the
 *   mounts with this groupId, all of one superblock; a mount alone points at itself.
 * - slaves: master !== null iff this is in master's slave list; master is shared, is not a peer,
 *   and following masters never comes back (masters form a forest over peer groups); only a
 *   shared mount has slaves; peers of one group that are slaves have one master and sit next to
 *   each other in its slave list ("peer groups form contiguous segments of slave lists").
 * - unbindable implies private: no group, no master.
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
  /** mnt_ns !== NULL: part of the namespace (IS_MNT_NEW is its negation); see MntNamespace.mounts for the table. */
  attached = false;
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
     * mnt_flags, its user-settable part (MNT_NOSUID... MNT_NOSYMFOLLOW): copied to every clone, changed
     * only by a bind remount. Invariant: within MNT_USER_SETTABLE_MASK, never MNT_NOATIME with MNT_RELATIME.
     * (The kernel keeps propagation and lock bits here too; the model has fields for the first and none of the second.)
     */
    public mntFlags: number,
  ) {}
}

/**
 * Whose behaviour the model follows where Linux changed it: 6.18 (the default, the host kernel it
 * is tested against) or 6.12 (Debian's LTS, the patched kernel of the VM). See README.md.
 */
export type KernelVersion = '6.12' | '6.18';

/** The limit fs.mount-max sets by default (sysctl_mount_max). */
export const DEFAULT_MOUNT_MAX = 100000;

/**
 * A mount namespace with the kernel's global id allocators.
 * Invariants: mounts holds exactly the attached mounts, in uniqueId order; root is attached and
 * has no parent; pinned holds exactly the mounts with pins. The live mounts (mounts and pinned)
 * have unique ids, and each allocator holds exactly the ids in use: mount ids of live mounts,
 * group ids of their peer groups, device minors of their superblocks; every other id below its
 * high-water mark is free, so the next allocation is the smallest free id.
 */
export class MntNamespace {
  /** ns->mounts, the table by mnt_id_unique (lists.ts). */
  readonly mounts = new MountTable();
  /** mnt_id_ida. */
  readonly mountIds: Ida;
  /** mnt_group_ida (ida_alloc_min(..., 1)). */
  readonly groupIds = new Ida(1);
  /** unnamed_dev_ida (get_anon_bdev(): minors from 1). */
  readonly deviceMinors = new Ida(1);
  /** mnt_id_ctr. */
  private lastUniqueId = 0;
  /** fs.mount-max. */
  mountMax = DEFAULT_MOUNT_MAX;
  /** ns->root, which is also the process's root and working directory. */
  readonly root: Mount;

  constructor(
    firstMountId: number,
    rootFsType: string,
    rootSource: string,
    /** Which kernel's behaviour the algorithms follow where versions differ. */
    readonly kernel: KernelVersion = '6.18',
  ) {
    this.mountIds = new Ida(firstMountId);
    this.root = this.allocMount(this.allocSuperblock(rootFsType, '', false).root, rootSource, MNT_RELATIME);
    this.root.attached = true;
    this.mounts.add(this.root);
  }

  /** A new superblock (vfs_get_tree() of a filesystem that makes one per mount, like tmpfs). */
  allocSuperblock(fsType: string, data: string, readOnly: boolean): Superblock {
    return new Superblock(this.deviceMinors.alloc(), fsType, data, readOnly);
  }

  /** alloc_vfsmnt() + vfs_create_mount(): a mount of `root`'s superblock, attached nowhere. */
  allocMount(root: Dentry, source: string, mntFlags: number): Mount {
    const mount = new Mount(this.mountIds.alloc(), ++this.lastUniqueId, root.sb, root, source, mntFlags);
    root.sb.mountCount++;
    return mount;
  }

  /** cleanup_mnt(): the mount is gone; its id, and with its last mount the superblock's device, are free. */
  private freeMount(mount: Mount): void {
    this.mountIds.free(mount.id);
    if (--mount.sb.mountCount === 0) this.deviceMinors.free(mount.sb.minor);
  }

  /** The mounts pins hold: live even when out of the namespace (their ids and superblocks stay taken). */
  readonly pinned = new Set<Mount>();

  /** mntget() for a pin. */
  mntget(mount: Mount): void {
    mount.pins++;
    this.pinned.add(mount);
  }

  /** mntput() of a pin. */
  mntput(mount: Mount): void {
    if (--mount.pins === 0) this.pinned.delete(mount);
    this.freeIfUnused(mount);
  }

  /** The last reference is gone when a mount out of the namespace has no pins: it is freed. */
  freeIfUnused(mount: Mount): void {
    if (!mount.attached && mount.pins === 0) this.freeMount(mount);
  }
}
