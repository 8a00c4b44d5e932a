// What the kernel keeps global, above every mount namespace: the id allocators, mnt_id_ctr,
// fs.mount-max, the initial user namespace, every process, and the mounts pins keep alive
// (fs/namespace.c, kernel/pid.c). Every object of types.ts is allocated here and freed here.
import { Ida } from './ida.js';
import { MountTable } from './lists.js';
import { MntNamespace, Mount, Superblock, Task, UserNamespace, type Dentry, type KernelVersion, type Path } from './types.js';

/** The limit fs.mount-max sets by default (sysctl_mount_max). */
export const DEFAULT_MOUNT_MAX = 100000;

/**
 * The state the kernel keeps global: the id allocators (mount ids, peer-group ids and device
 * minors are system-wide, so a peer group spanning namespaces has one id everywhere), mnt_id_ctr,
 * fs.mount-max, and every namespace and process.
 * Invariants: the live mounts (in a namespace, or out of every namespace and pinned) have unique
 * ids, and each allocator holds exactly the ids in use: mount ids of live mounts, group ids of their
 * peer groups, device minors of their superblocks; every other id below its high-water mark is
 * free, so the next allocation is the smallest free id. pinned holds exactly the mounts with pins.
 */
export class KernelState {
  /** mnt_id_ida. */
  readonly mountIds: Ida;
  /** mnt_group_ida (ida_alloc_min(..., 1)). */
  readonly groupIds = new Ida(1);
  /** unnamed_dev_ida (get_anon_bdev(): minors from 1). */
  readonly deviceMinors = new Ida(1);
  /** mnt_id_ctr. */
  private lastUniqueId = 0;
  /** The last namespace sequence number handed out (mnt_ns_seq). */
  private lastNamespaceSeq = 0;
  /** fs.mount-max: how many mounts one namespace may hold. */
  mountMax = DEFAULT_MOUNT_MAX;
  /** The last user namespace inum handed out. */
  private lastUserNsInum = 0;
  /** init_user_ns. */
  readonly initUserNs = this.allocUserNs(null, true);
  /** The processes by pid, in creation order (dead ones stay, so that a pid is never reused). */
  readonly tasks = new Map<number, Task>();
  /** The mounts pins hold: live even when out of every namespace (their ids and superblocks stay taken). */
  readonly pinned = new Set<Mount>();

  constructor(
    firstMountId: number,
    /** Which kernel's behaviour the algorithms follow where versions differ. */
    readonly version: KernelVersion,
    /** The registered filesystem types (fs/filesystems.c): each mount of one gets a fresh, empty superblock. */
    readonly filesystems: ReadonlySet<string>,
  ) {
    this.mountIds = new Ida(firstMountId);
  }

  /** alloc_mnt_ns(): a new, empty mount namespace owned by `userNs`; an anonymous one (anon: no sequence number) for a detached tree. */
  allocMntNs(userNs: UserNamespace, anon = false): MntNamespace {
    return new MntNamespace(this, userNs, anon ? 0 : ++this.lastNamespaceSeq, new MountTable());
  }

  /** create_user_ns(): a new user namespace, a child of `parent` (none for the initial one). */
  allocUserNs(parent: UserNamespace | null, setgroupsAllowed: boolean): UserNamespace {
    return new UserNamespace(parent, setgroupsAllowed, ++this.lastUserNsInum);
  }

  /** A new process of the model, holding its mount namespace, root and working directory. */
  spawnTask(mntNs: MntNamespace, userNs: UserNamespace, root: Path, cwd: Path): Task {
    const task = new Task(this.tasks.size + 1, mntNs, userNs, root, cwd, new Ida(0));
    this.tasks.set(task.pid, task);
    mntNs.users++;
    this.mntget(root.mount);
    this.mntget(cwd.mount);
    return task;
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

  /** mntget() for a pin (an O_PATH fd, or a process's root or working directory). */
  mntget(mount: Mount): void {
    mount.pins++;
    this.pinned.add(mount);
  }

  /** mntput() of a pin. */
  mntput(mount: Mount): void {
    if (--mount.pins === 0) this.pinned.delete(mount);
    this.freeIfUnused(mount);
  }

  /** The last reference is gone when a mount out of every namespace has no pins: it is freed. */
  freeIfUnused(mount: Mount): void {
    if (mount.ns === null && mount.pins === 0) this.freeMount(mount);
  }
}
