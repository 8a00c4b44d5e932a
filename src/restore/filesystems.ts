// Which filesystems a restore may mount afresh. A new mount of some filesystems makes a superblock
// of its own, which no other mount shows: the restore may create its roots and mount points in it
// and touches nothing else. A new mount of the others hands back a superblock that exists already
// (the network or IPC namespace's, a live cgroup hierarchy, the one of the system, a device's):
// writing there writes to the live system (a directory made in a cgroup v1 hierarchy is a real
// cgroup), and the new mount's options may reconfigure it. A restore never mounts those afresh: it
// binds them from a mount the caller names with --external, and writes nothing in them.
//
// Checked on the kernel by test/kernel/filesystem-kinds.test.ts: each type mounted twice, the two
// mounts show two devices (a fresh superblock each) or one.

/** Filesystems whose every new mount is a superblock of its own (fs_context get_tree_nodev()). */
export const FRESH_SUPERBLOCK_FILESYSTEMS: ReadonlySet<string> = new Set([
  'tmpfs',
  'ramfs',
  // One instance per mount since Linux 5.8 (showing the mounting process's pid namespace).
  'proc',
  // One instance per mount since Linux 4.7 (newinstance is implied).
  'devpts',
  'hugetlbfs',
  'bpf',
]);

/** Fresh superblocks the kernel fills, whose mount points exist already; the others start empty. */
const KERNEL_FILLED: ReadonlySet<string> = new Set(['proc', 'devpts']);

/** What a new mount of each filesystem that makes none gives instead, and how to get hold of the dumped one. */
const EXISTING_SUPERBLOCKS: Readonly<Record<string, string>> = {
  sysfs:
    "a new mount of sysfs is the one superblock of the mounting process's network namespace; a container's is mounted " +
    'from inside its namespace: nsenter --net=/proc/PID/ns/net mount -t sysfs -o ro sysfs DIR',
  mqueue:
    "a new mount of mqueue is the one superblock of the mounting process's IPC namespace; a container's is mounted " +
    'from inside its namespace: nsenter --ipc=/proc/PID/ns/ipc mount -t mqueue mqueue DIR',
  cgroup: 'a new mount of a cgroup v1 hierarchy is the live hierarchy, where a directory made is a real cgroup; the host mounts it under /sys/fs/cgroup',
  cgroup2: 'a new mount of cgroup2 is the live hierarchy, where a directory made is a real cgroup and whose options a new mount changes',
};

/** Whether a new mount of `fsType` makes a superblock of its own, which a restore may create afresh. */
export function makesFreshSuperblock(fsType: string): boolean {
  return FRESH_SUPERBLOCK_FILESYSTEMS.has(fsType);
}

/** Whether a fresh superblock of `fsType` starts empty (tmpfs), not filled by the kernel (proc). */
export function startsEmpty(fsType: string): boolean {
  return !KERNEL_FILLED.has(fsType);
}

/** Why a restore does not mount `fsType` afresh, in a sentence. */
export function existingSuperblockReason(fsType: string): string {
  return (
    EXISTING_SUPERBLOCKS[fsType] ??
    `a new mount of ${fsType} would show an existing superblock, a device's or the system's one, whose options it may change`
  );
}
