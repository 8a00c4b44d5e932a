// The rules set-group enforces, in the order do_set_group() (fs/namespace.c) checks them, as the
// sentences both backends put in an error's `reason`: the model when it breaks one, the kernel
// backend when mountinfo shows which one the kernel refused.

/** Which side of set-group a rule speaks of. */
export type Side = 'source' | 'target';

export const setGroupRule = {
  /** Both mounts must be mounted in a namespace (EINVAL). */
  notMounted: (side: Side) =>
    `the ${side} is not mounted in any namespace this process can see (a mount namespace dies with ` +
    'its last process, and its mounts with it: keep a process in it while you use its mounts)',
  /** The caller needs CAP_SYS_ADMIN over each mount's namespace (EPERM). */
  noCapability: () =>
    "the caller lacks CAP_SYS_ADMIN over the user namespace that owns the source's or the target's mount " +
    "namespace (a process in a child user namespace cannot join mounts of its parent's namespace)",
  /** Both paths must be the root of a mount (EINVAL). */
  notMountRoot: (side: Side, path: string, mountPoint: string) =>
    `the ${side} '${path}' is not the root of a mount (it lies inside the mount at '${mountPoint}'); set-group joins whole mounts`,
  /** Source and target must be mounts of one superblock (EINVAL). */
  differentSuperblock: (source: string, target: string) =>
    `source and target are mounts of different filesystems (device ${source} and ${target}); only mounts of one superblock can share a group`,
  /** The target's root must lie inside the source's root (EINVAL). */
  targetRootOutsideSource: (targetRoot: string, sourceRoot: string) =>
    `the target's root '${targetRoot}' is not inside the source's root '${sourceRoot}' in their filesystem; ` +
    'use the mount with the wider root as the source',
  /** The source must have no locked mounts at the target's root (EINVAL). */
  lockedChildren: () =>
    "the source has locked mounts (inherited by a less privileged namespace) at the target's root, which the target would expose",
  /** The target must be private: neither shared nor a slave (EINVAL). */
  targetNotPrivate: (state: string) => `the target is already ${state}; make it private first (mount --make-private)`,
  /** The source must be shared or a slave: there must be a group to join (EINVAL). */
  sourcePrivate: () =>
    'the source is private: it has neither a peer group nor a master to join; make it shared or a slave first',
} as const;

/** A mount's propagation in words, as reasons say it: 'shared (shared:3)', 'a slave (master:1)', 'private'. */
export function describePropagation(mount: { shared?: number; master?: number }): string {
  const states = [];
  if (mount.shared !== undefined) states.push(`shared (shared:${mount.shared})`);
  if (mount.master !== undefined) states.push(`a slave (master:${mount.master})`);
  return states.length === 0 ? 'private' : states.join(' and ');
}
