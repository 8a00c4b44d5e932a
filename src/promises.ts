// mount-set-group/promises: the package's calls as promises, as node:fs/promises is to node:fs. The
// probe runs its child without blocking the event loop and can be aborted; set-group itself is one
// system call (its form is known in microseconds: set-group/forms.ts), so its promise settles at once.
import { validateAbortSignal, validateOptions } from './core/validate.js';
import { probeAsync, type ProbeResult } from './set-group/probe.js';
import { setGroup as setGroupSync, type SetGroupOptions } from './set-group/set-group.js';
import type { PathOrFd } from './core/place.js';
import type { SetGroupForm } from './set-group/probe.js';

export interface AbortOptions {
  /** Aborts the call: its promise rejects with an AbortError, as Node's do. */
  signal?: AbortSignal;
}

/** setGroup() as a promise: rejects where setGroup() throws. */
export async function setGroup(source: PathOrFd, target: PathOrFd, options?: SetGroupOptions & AbortOptions): Promise<SetGroupForm> {
  validateOptions(options, 'options', ['method', 'signal']);
  const { signal, ...rest } = options ?? {};
  validateAbortSignal(signal, 'options.signal');
  signal?.throwIfAborted();
  return setGroupSync(source, target, rest);
}

/** probe() as a promise: its child runs while the event loop goes on; `signal` kills it. */
export async function probe(options?: AbortOptions): Promise<ProbeResult> {
  validateOptions(options, 'options', ['signal']);
  validateAbortSignal(options?.signal, 'options.signal');
  return probeAsync(options);
}
