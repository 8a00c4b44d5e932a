// The rules attach and detach enforce beyond set-group's own (src/core/set-group-rules.ts), as the
// sentences an error's `reason` carries. Set-group's rules (same filesystem, root inside root...)
// are explained by src/set-group/explain.ts when the kernel refuses.

export const attachRule = {
  /** The target must exist inside the process's mount namespace (ENOENT). */
  targetMissing: (pid: number, target: string) => `'${target}' does not exist in the mount namespace of process ${pid}`,
  /** The target must stay inside that namespace: /proc/PID/root/... restarts absolute symlinks at the caller's root (EINVAL). */
  targetOutside: (pid: number, target: string) =>
    `'${target}' lands on a mount outside the mount namespace of process ${pid} (its root directory lies in another ` +
    'namespace); name a volume of that namespace',
  /** The target must be the root of a mount there: a volume (EINVAL). */
  targetNotVolume: (pid: number, target: string, mountPoint: string) =>
    `the target '${target}' is not the root of a mount in process ${pid}'s namespace (it lies inside the mount at ` +
    `'${mountPoint}'); attach and detach act on a whole volume mount`,
  /** The volume must be private before attach: it joins exactly one group (EINVAL). */
  volumeNotPrivate: (pid: number, target: string, state: string) =>
    `the volume '${target}' of process ${pid} is already ${state}: attached before, or set up so by its runtime; ` +
    `make it private first: mount-set-group detach ${pid} ${target}`,
  /** SOURCE is the caller's shared mount, TARGET the container's volume: given the other way round, both checks fail (EINVAL, ENOENT). */
  argumentsSwapped: (pid: number, source: string, target: string) =>
    `the arguments look swapped: '${target}' is a shared mount here and '${source}' a volume of process ${pid}; ` +
    `attach takes this namespace's shared mount first, then the container's volume: mount-set-group attach ${pid} ${target} ${source}`,
  /** The source must be a mount of the caller's namespace (EINVAL). */
  sourceElsewhere: (source: string) =>
    `the source '${source}' is not a mount of this process's mount namespace; attach takes its source from the caller's namespace`,
  /** A source inside a mount that shows the volume's directory: that mount is the source to name (a plain-directory volume). */
  nameContainingMount: (pid: number, mountPoint: string, target: string, receives: string, shared: boolean) =>
    `name the mount that holds it: mount-set-group attach ${pid} ${mountPoint} ${target}` +
    `${shared ? '' : ` (after mount --make-shared ${mountPoint})`}, and mounts made under ${receives} from then on show up under ${target}`,
  /** The source must be shared: a slave source would pass on only what its master receives (EINVAL). */
  sourceNotShared: (source: string, state: string) =>
    `the source '${source}' is ${state}, not shared: there is no peer group whose new mounts the volume could receive. ` +
    `attach does not change this namespace's propagation on its own; make it shared first (mount --make-shared ${source})`,
  /** 'shared' only into a namespace of the caller's user namespace (EPERM, our policy after the kernel's). */
  sharedIntoOtherUserNamespace: (pid: number) =>
    `process ${pid} is in another user namespace (a rootless container): mode 'shared' would let it propagate mounts ` +
    'into this namespace, which the kernel never allows a less privileged namespace (one it creates gets shared mounts ' +
    "as slaves); use mode 'slave'",
  /** Changing a foreign mount's propagation in the caller needs a kernel that allows it (EINVAL). */
  foreignChangeRefused: (pid: number) =>
    `this kernel does not let a process change the propagation of a mount in another mount namespace (process ${pid}'s); ` +
    "use via 'auto' or 'nsenter', which make the change from inside that namespace",
  /** Entering the container's mount namespace needs CAP_SYS_ADMIN over its owner (EPERM). */
  cannotEnter: (pid: number, detail: string) =>
    `cannot enter the mount namespace of process ${pid} (${detail}): that needs CAP_SYS_ADMIN over the user namespace ` +
    'that owns it, and over this process\'s own',
  /** Changing the volume's propagation needs CAP_SYS_ADMIN over its namespace's owner (EPERM). */
  noCapability: (pid: number) =>
    `the caller lacks CAP_SYS_ADMIN over the user namespace that owns process ${pid}'s mount namespace`,
  /** A failed attach undoes its set-group; when that fails too, say what is left (any code). */
  undoFailed: (target: string, code: string) =>
    `undoing the set-group failed as well (${code}): the volume '${target}' is left a peer of the source; ` +
    'run mount-set-group detach on it',
} as const;
