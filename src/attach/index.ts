// attach() and detach(): live propagation into a running container. A container's volume is a
// private mount in the container's mount namespace; attach puts it into the peer group of a shared
// mount of the caller's namespace with set-group (from this process, through /proc/PID/root), then,
// in 'slave' mode, makes it a slave of that group, so that what is mounted under the source from
// then on shows up in the container and nothing goes the other way. detach makes the volume and
// everything below it private again.
//
// Each runs in two phases: a ladder of checks that changes nothing (the process exists, the target
// is a volume of its namespace and private, the source a shared mount root of ours, the user
// namespaces allow the mode), then the changes; when the second change fails, the first is undone.
// Each path is resolved once, into an O_PATH fd — the target inside the process's root
// (openat2 RESOLVE_IN_ROOT on /proc/PID/root: its symbolic links followed as it would follow them,
// never out of its root), the source as this process sees it — and the checks and the changes all
// act on those fds: nothing the container does between them can point a change elsewhere.
import { fstatSync } from 'node:fs';
import { posix } from 'node:path';
import { mountError, MountError } from '../core/errors.js';
import type { MountInfo } from '../mountinfo/types.js';
import type { SetGroupForm } from '../set-group/probe.js';
import { setGroupRule } from '../core/set-group-rules.js';
import { setGroupHeld } from '../set-group/set-group.js';
import * as sys from '../native/syscalls.js';
import { finalLink, openInRoot } from '../process/resolve.js';
import { validateAttachOptions, validateDetachOptions, type AttachMode, type AttachOptions, type DetachOptions, type PropagationRoute } from './arguments.js';
import { locate } from '../process/locate.js';
import { containerPath, mountNamespaceOf, processGone, unlessGone, userNamespaceOf } from './container.js';
import { describePropagation } from '../core/set-group-rules.js';
import { becomeSlave, explainChange, type Volume } from './change.js';
import { chooseRoute, openChanger, refuseUnavailableRoute } from './route.js';
import { attachRule } from './rules.js';
import { procRule } from '../process/proc.js';

export type { AttachMode, AttachOptions, DetachOptions, PropagationRoute, Via } from './arguments.js';
export { probeForeignPropagation, type ForeignPropagationProbe } from './probe.js';

export interface AttachResult {
  pid: number;
  /** The source's mount point, as this namespace's mountinfo shows it. */
  source: string;
  /** The volume's mount point, as the container's mountinfo shows it. */
  target: string;
  /**
   * The directory of this namespace whose new mounts now show up under `target`: `source` itself, or
   * the directory of the source's mount that the volume shows (a volume bound from a plain directory).
   */
  propagatesFrom: string;
  /** Whether the volume is a mount of a file: what propagates then is a file mounted on `propagatesFrom`. */
  file: boolean;
  mode: AttachMode;
  /** Where the volume's propagation change ran ('caller' in 'shared' mode, which needs none: set-group always runs in the caller). */
  via: PropagationRoute;
  /** The form of set-group that was used. */
  form: SetGroupForm;
  /** The volume as process `pid`'s mountinfo shows it afterwards. */
  volume: MountInfo;
}

export interface DetachResult {
  pid: number;
  /** The volume's mount point, as the container's mountinfo shows it. */
  target: string;
  via: PropagationRoute;
  /** The volume as process `pid`'s mountinfo shows it afterwards. */
  volume: MountInfo;
}

/** A refusal of attach or detach itself (not of one syscall): `syscall` names the command, and the
 * paths are attach's source and volume, or detach's volume, as in Node's two-path errors. */
function refusal(code: string, volume: { path: string; source?: string }, reason: string): MountError {
  const command = volume.source === undefined ? 'detach' : 'attach';
  const places = volume.source === undefined ? { path: volume.path } : { path: volume.source, dest: volume.path };
  return mountError(code, { syscall: command, ...places, reason });
}

/** The error for a target path that could not be opened: gone process, missing path, no ptrace access. */
function targetError(pid: number, target: string, error: unknown): unknown {
  if (!(error instanceof MountError)) return error;
  if (processGone(pid)) return unlessGone(pid, error);
  const reason = error.code === 'ENOENT' ? attachRule.targetMissing(pid, target) : error.code === 'EACCES' ? procRule.noPtraceAccess(pid) : undefined;
  return reason === undefined ? error : mountError(error.code, { syscall: error.syscall, path: error.path, reason, cause: error });
}

/** " ('P' is a symbolic link to 'T')" when the path a reason names ends in a link: the link is what the reason is about. */
function linkNote(path: string): string {
  const link = finalLink(path);
  return link === undefined ? '' : ` (${link})`;
}

/** `target` resolved inside process `pid`'s root: an O_PATH fd (ESRCH, EACCES, ENOENT as targetError says). */
function openVolume(pid: number, target: string, path: string): number {
  let root;
  try {
    root = sys.openPath(`/proc/${pid}/root`);
  } catch (error) {
    throw targetError(pid, target, error);
  }
  try {
    return openInRoot(root, target, path);
  } catch (error) {
    throw targetError(pid, target, error);
  } finally {
    sys.close(root);
  }
}

/** The process must exist, and `target` must land on the root of a mount of its namespace (ESRCH, ENOENT, EINVAL). */
function findVolume(pid: number, target: string, source?: string): Volume {
  const path = containerPath(pid, target);
  const places = { path, source };
  const namespace = mountNamespaceOf(pid, path);
  const fd = openVolume(pid, target, path);
  try {
    let found;
    try {
      found = locate(fd, pid);
    } catch (error) {
      throw targetError(pid, target, error);
    }
    if (!found) throw refusal('EINVAL', places, attachRule.targetOutside(pid, target));
    if (!found.isRoot) throw refusal('EINVAL', places, attachRule.targetNotVolume(pid, target, found.mount.mountPoint) + linkNote(path));
    return { pid, source, target, path, fd, namespace, mount: found.mount, sameNamespace: namespace === mountNamespaceOf('self') };
  } catch (error) {
    sys.close(fd);
    throw error;
  }
}

/** The volume must be private: set-group joins a mount into exactly one group (EINVAL). */
function checkVolumePrivate(volume: Volume): void {
  const state = describePropagation(volume.mount);
  if (state !== 'private') throw refusal('EINVAL', volume, attachRule.volumeNotPrivate(volume.pid, volume.target, state));
}

/** `source` opened once (O_PATH, a final link followed as mount(8) follows it): the fd the checks and set-group act on. */
function openSource(source: string, volume: Volume): number {
  try {
    return sys.openPath(source);
  } catch (error) {
    if (error instanceof MountError && error.code === 'ENOENT') throw refusal('ENOENT', volume, `'${source}' does not exist${linkNote(source)}`);
    throw error;
  }
}

/**
 * The directory of `source`'s mount (at `sourcePath`) that the volume shows: what the volume receives
 * from; undefined when the volume shows no directory of that mount (another filesystem, or outside its root).
 */
function directoryShown(sourcePath: string, source: MountInfo, volume: MountInfo): string | undefined {
  if (source.major !== volume.major || source.minor !== volume.minor) return undefined;
  if (source.root !== '/' && volume.root !== source.root && !volume.root.startsWith(`${source.root}/`)) return undefined;
  const below = source.root === '/' ? volume.root : volume.root.slice(source.root.length);
  return below === '/' || below === '' ? sourcePath : posix.join(sourcePath, below);
}

/** Why a source that is not a mount root cannot serve; one inside a mount that could (a plain-directory volume) is told to name that mount. */
function notMountRoot(source: string, mount: MountInfo, volume: Volume): string {
  const rule = setGroupRule.notMountRoot('source', source, mount.mountPoint) + linkNote(source);
  const receives = directoryShown(mount.mountPoint, mount, volume.mount);
  if (receives === undefined) return rule;
  return `${rule}; ${attachRule.nameContainingMount(volume.pid, mount.mountPoint, volume.mount.mountPoint, receives, mount.shared !== undefined)}`;
}

/** The source must be the root of a shared mount of this process's namespace (ENOENT, EINVAL); returns its fd and mount. */
function checkSource(source: string, volume: Volume): { fd: number; mount: MountInfo } {
  const fd = openSource(source, volume);
  try {
    const found = locate(fd, 'self');
    if (!found) throw refusal('EINVAL', volume, attachRule.sourceElsewhere(source) + linkNote(source));
    if (!found.isRoot) throw refusal('EINVAL', volume, notMountRoot(source, found.mount, volume));
    if (found.mount.shared === undefined) throw refusal('EINVAL', volume, attachRule.sourceNotShared(source, describePropagation(found.mount)) + linkNote(source));
    return { fd, mount: found.mount };
  } catch (error) {
    sys.close(fd);
    throw error;
  }
}

/** Whether `path` lands on the root of a shared mount of this process's namespace. */
function isSharedMountRootHere(path: string): boolean {
  let fd;
  try {
    fd = sys.openPath(path);
    const found = locate(fd, 'self');
    return found !== undefined && found.isRoot && found.mount.shared !== undefined;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) sys.close(fd);
  }
}

/** Whether `path` is a mount root in process `pid`'s namespace: a volume. */
function isVolumeThere(pid: number, path: string): boolean {
  try {
    sys.close(findVolume(pid, path).fd);
    return true;
  } catch {
    return false;
  }
}

/** The volume `target` names, or, where it names none, an error that says so — and that the arguments look swapped when they do. */
function findAttachedVolume(pid: number, source: string, target: string): Volume {
  try {
    return findVolume(pid, target, source);
  } catch (error) {
    if (!(error instanceof MountError) || !['ENOENT', 'EINVAL'].includes(error.code)) throw error;
    if (!isSharedMountRootHere(target) || !isVolumeThere(pid, source)) throw error;
    throw mountError(error.code, { syscall: 'attach', path: source, dest: target, reason: attachRule.argumentsSwapped(pid, source, target), cause: error });
  }
}

/** 'shared' only with a container of this process's user namespace: a rootless one must not propagate into ours (EPERM). */
function checkMode(mode: AttachMode, volume: Volume): void {
  if (mode === 'shared' && userNamespaceOf(volume.pid) !== userNamespaceOf('self')) {
    throw refusal('EPERM', volume, attachRule.sharedIntoOtherUserNamespace(volume.pid));
  }
}

/**
 * Set-group from this process, through both fds: the volume joins the source's peer group (errors
 * explained by set-group). Refused because the volume is no longer private (another attach got
 * there first, between the checks and now): the loser is told, as the checks would have told it,
 * to detach.
 */
function joinGroup(source: string, sourceFd: number, volume: Volume): SetGroupForm {
  try {
    return setGroupHeld([sourceFd, volume.fd], [source, volume.path]);
  } catch (error) {
    const explained = unlessGone(volume.pid, error);
    if (!(explained instanceof MountError) || explained.code !== 'EINVAL') throw explained;
    const state = describePropagation(reread(volume));
    if (state === 'private') throw explained;
    throw mountError('EINVAL', { syscall: explained.syscall, path: explained.path, dest: explained.dest, reason: attachRule.volumeNotPrivate(volume.pid, volume.mount.mountPoint, state), cause: explained });
  }
}

/** The volume's mountinfo entry as it is now. */
function reread(volume: Volume): MountInfo {
  return locate(volume.fd, volume.pid)?.mount ?? volume.mount;
}

/**
 * Lets mounts made under `source` (a shared mount root of this process's namespace) from now on show
 * up under `target`, a volume of process `pid`'s mount namespace: the volume joins the source's peer
 * group by set-group and, in 'slave' mode (the default), becomes its slave, so nothing propagates back.
 * Refuses, changing nothing, when the process is gone (ESRCH), the target is not a private mount root
 * there or the source not a shared mount root here (EINVAL), or 'shared' is asked for a container in
 * another user namespace (EPERM); the kernel's refusals of set-group come explained.
 */
export async function attach(options: AttachOptions): Promise<AttachResult> {
  const { pid, source, target, mode, via } = validateAttachOptions(options);
  const volume = findAttachedVolume(pid, source, target);
  let sourceFd: number | undefined;
  try {
    checkVolumePrivate(volume);
    const checked = checkSource(source, volume);
    sourceFd = checked.fd;
    checkMode(mode, volume);
    const echoed = {
      pid,
      source: checked.mount.mountPoint,
      target: volume.mount.mountPoint,
      propagatesFrom: directoryShown(checked.mount.mountPoint, checked.mount, volume.mount) ?? checked.mount.mountPoint,
      file: !fstatSync(volume.fd).isDirectory(),
      mode,
    };
    if (mode === 'shared') {
      const form = joinGroup(source, sourceFd, volume);
      return { ...echoed, via: 'caller', form, volume: reread(volume) };
    }
    const route = chooseRoute(via, volume.sameNamespace);
    refuseUnavailableRoute(route, volume.pid, volume.path, volume.sameNamespace);
    const changer = await openChanger(route, pid, volume);
    try {
      const form = joinGroup(source, sourceFd, volume);
      await becomeSlave(changer, volume);
      return { ...echoed, via: route, form, volume: reread(volume) };
    } finally {
      await changer.close();
    }
  } finally {
    if (sourceFd !== undefined) sys.close(sourceFd);
    sys.close(volume.fd);
  }
}

/**
 * Makes the volume at `target` in process `pid`'s mount namespace private again, with every mount
 * below it: mounts made under the source from now on no longer show up there (those already
 * propagated stay). Refuses when the process is gone (ESRCH) or the target is not a mount root there (EINVAL).
 */
export async function detach(options: DetachOptions): Promise<DetachResult> {
  const { pid, target, via } = validateDetachOptions(options);
  const volume = findVolume(pid, target);
  try {
    const route = chooseRoute(via, volume.sameNamespace);
    refuseUnavailableRoute(route, volume.pid, volume.path, volume.sameNamespace);
    const changer = await openChanger(route, pid, volume);
    try {
      await changer.change(['MS_PRIVATE', 'MS_REC']);
    } catch (error) {
      throw explainChange(error, volume, changer.via);
    } finally {
      await changer.close();
    }
    return { pid, target: volume.mount.mountPoint, via: route, volume: reread(volume) };
  } finally {
    sys.close(volume.fd);
  }
}
