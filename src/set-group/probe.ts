// probe(): which forms of set-group the running kernel offers, found by doing the operation on
// throwaway mounts in a child process with its own private mount namespace — never guessed from
// the version number. The answer is cached for the life of the process.
import { release } from 'node:os';
import { askPrivateChild, askPrivateChildAsync, siblingModule, type ChildAnswer } from '../process/child.js';
import type { FormTrial } from './probe-child.js';

export type SetGroupForm = 'mount' | 'move_mount';

export interface ProbeResult {
  /** The running kernel's release (uname -r). */
  release: string;
  /** Whether the probe could run at all; when false, `reason` says why and both forms are false. */
  probed: boolean;
  reason?: string;
  /** mount(2) with MS_SET_GROUP: kernels patched from kernel-patch/. */
  mount: boolean;
  /** move_mount(2) with MOVE_MOUNT_SET_GROUP: Linux >= 5.15. */
  moveMount: boolean;
  /** The errno each unsupported form failed with. */
  errors: { mount?: string; moveMount?: string };
  /** The form `method: 'auto'` uses: mount(2) when the kernel is patched, else move_mount. */
  preferred: SetGroupForm | null;
}

let cached: ProbeResult | undefined;

function notProbed(reason: string): ProbeResult {
  return { release: release(), probed: false, reason, mount: false, moveMount: false, errors: {}, preferred: null };
}

function fromTrials(trials: { mount: FormTrial; moveMount: FormTrial }): ProbeResult {
  const errors: ProbeResult['errors'] = {};
  if (trials.mount.code) errors.mount = trials.mount.code;
  if (trials.moveMount.code) errors.moveMount = trials.moveMount.code;
  const preferred = trials.mount.works ? 'mount' : trials.moveMount.works ? 'move_mount' : null;
  return { release: release(), probed: true, mount: trials.mount.works, moveMount: trials.moveMount.works, errors, preferred };
}

type Trials = { mount: FormTrial; moveMount: FormTrial };

const probeChild = siblingModule(import.meta.url, 'probe-child');

function resultOf(child: ChildAnswer<Trials>): ProbeResult {
  return 'why' in child ? notProbed(child.why) : fromTrials(child.answer);
}

/** Which forms of set-group this kernel supports (probed once per process; about half a second the first time). */
export function probe(): ProbeResult {
  cached ??= resultOf(askPrivateChild<Trials>(probeChild));
  return cached;
}

/** probe() without blocking the event loop while its child runs; `signal` aborts it (an AbortError), and the answer is shared with probe(). */
export async function probeAsync(options: { signal?: AbortSignal } = {}): Promise<ProbeResult> {
  options.signal?.throwIfAborted();
  cached ??= resultOf(await askPrivateChildAsync<Trials>(probeChild, options.signal));
  return cached;
}
