// A MountNamespace that refuses its Nth call: failure injected at any point of a restore, without
// a hook in the code under test. Only the calls a restore makes while it builds count (resolutions,
// mkdirs, mounts, propagation, set-group, umount); letting go of handles, removing directories and
// reading mountinfo — what undoing and checking use — pass through.
import { mountError } from '../../../src/core/errors.js';
import type { MountNamespace } from '../../../src/core/namespace.js';

const counted: ReadonlySet<string> = new Set(['mkdir', 'mkdirAt', 'openBeneath', 'pin', 'mount', 'mountAt', 'bind', 'bindAt', 'move', 'remountBind', 'changePropagation', 'setGroup', 'umount']);

export interface Injection {
  /** The index of the counted call that fails (Infinity: none does). */
  failAt: number;
  /** How many counted calls were made. */
  calls: number;
}

/** `inner`, with counted call number `injection.failAt` (from 0) refused as EIO. */
export function failingAt(inner: MountNamespace, injection: Injection): MountNamespace {
  return new Proxy(inner, {
    get(target, name) {
      const value = Reflect.get(target, name, target) as unknown;
      if (typeof value !== 'function') return value;
      if (typeof name !== 'string' || !counted.has(name)) return value.bind(target);
      return (...args: unknown[]) => {
        if (injection.calls++ === injection.failAt) {
          throw mountError('EIO', { syscall: name, reason: `failure injected at call ${injection.failAt}` });
        }
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}
