// The changes attach and detach make to the volume once their checks have passed, through a
// PropagationChanger (route.ts): the kernel's refusals explained, and attach's second step undone
// when it fails, so that a failed attach leaves the volume as it found it.
import { mountError, MountError } from '../core/errors.js';
import type { MountInfo } from '../mountinfo/types.js';
import type { PropagationRoute } from './arguments.js';
import { processGone, unlessGone } from './container.js';
import type { PropagationChanger } from './route.js';
import { attachRule } from './rules.js';
import { procRule } from '../process/proc.js';

/** The volume: process `pid` exists, and `target` lands, inside its namespace, on the root of a mount there. */
export interface Volume {
  pid: number;
  /** attach's source (undefined for detach). */
  source?: string;
  target: string;
  /** `/proc/PID/root/<target>`: how errors name it. */
  path: string;
  /** An O_PATH fd of the volume, resolved once inside the process's root: every check and change acts on it. */
  fd: number;
  /** The container's mount namespace, `mnt:[inode]`. */
  namespace: string;
  mount: MountInfo;
  /** Whether the container shares this process's mount namespace (then no route problem exists). */
  sameNamespace: boolean;
}

/** The kernel's refusal of a propagation change of the volume, with the rule it enforced. */
export function explainChange(error: unknown, volume: Volume, via: PropagationRoute): unknown {
  if (!(error instanceof MountError)) return error;
  if (processGone(volume.pid)) return unlessGone(volume.pid, error);
  const reasons: Record<string, string | undefined> = {
    EINVAL: via === 'caller' ? attachRule.foreignChangeRefused(volume.pid) : undefined,
    EPERM: attachRule.noCapability(volume.pid),
    EACCES: procRule.noPtraceAccess(volume.pid),
    ENOENT: attachRule.targetMissing(volume.pid, volume.target),
  };
  const reason = reasons[error.code];
  return reason === undefined ? error : mountError(error.code, { syscall: error.syscall, path: error.path, reason, cause: error });
}

/** The volume, a peer now, becomes a slave of the group; if that fails, it leaves the group again. */
export async function becomeSlave(changer: PropagationChanger, volume: Volume): Promise<void> {
  try {
    await changer.change(['MS_SLAVE']);
  } catch (error) {
    const explained = explainChange(error, volume, changer.via);
    try {
      await changer.change(['MS_PRIVATE']);
    } catch (undo) {
      if (!(explained instanceof MountError) || !(undo instanceof MountError)) throw explained;
      const reason = `${explained.reason ?? explained.message}; ${attachRule.undoFailed(volume.target, undo.code)}`;
      throw mountError(explained.code, { syscall: explained.syscall, path: explained.path, reason, cause: explained });
    }
    throw explained;
  }
}
