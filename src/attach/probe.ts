// probeForeignPropagation(): may this process change the propagation of a mount that lives in
// another process's mount namespace (mount(2) MS_SLAVE on /proc/PID/root/...)? Kernels have
// answered differently: do_change_type() long checked nothing of the kind; commit 12f147ddd6de
// (2025, taken by stable branches) required the caller's own namespace (EINVAL otherwise, which
// made CRIU enter namespaces: criu#2695); later kernels ask only for CAP_SYS_ADMIN over the
// namespace's owner (may_change_propagation(), as in 6.12.117 and 6.18). Stable branches took each
// change at different points, so the answer is found by doing it, once per process, on throwaway
// mounts in a child with its own private namespace — never read from the version.
import { askPrivateChild, siblingModule } from '../process/child.js';

export interface ForeignPropagationProbe {
  /** Whether the probe could run; when false, `reason` says why and `allowed` is false. */
  probed: boolean;
  /** Whether a process may change the propagation of a mount in another mount namespace it administers. */
  allowed: boolean;
  /** The errno the kernel refused with, when it did. */
  code?: string;
  reason?: string;
}

export interface ForeignTrial {
  allowed: boolean;
  code?: string;
}

let cached: ForeignPropagationProbe | undefined;

function notProbed(reason: string): ForeignPropagationProbe {
  return { probed: false, allowed: false, reason };
}

function runProbe(): ForeignPropagationProbe {
  const child = askPrivateChild<ForeignTrial>(siblingModule(import.meta.url, 'probe-child'));
  if ('why' in child) return notProbed(child.why);
  const trial = child.answer;
  return trial.code === undefined ? { probed: true, allowed: trial.allowed } : { probed: true, allowed: trial.allowed, code: trial.code };
}

/** Whether this kernel lets a process change the propagation of another namespace's mount (probed once per process). */
export function probeForeignPropagation(): ForeignPropagationProbe {
  cached ??= runProbe();
  return cached;
}
