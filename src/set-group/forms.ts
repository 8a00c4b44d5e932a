// Which forms of set-group the running kernel knows, asked in this process without changing
// anything: each form is called with a source no lookup finds (a name under /dev/null, a file). A
// kernel that knows the form looks the source up and answers ENOTDIR (or ENOENT where /dev/null is
// missing); one that does not refuses the call before any lookup — mount(2) with bit 26 and no
// filesystem type is EINVAL on a stock kernel (a new mount needs a type), move_mount(2) with a flag
// it does not know is EINVAL, and a kernel without move_mount is ENOSYS. (Not an empty source: the
// patched mount(2) refuses that with EINVAL before any lookup, as MS_MOVE does.) Like every mount call it needs CAP_SYS_ADMIN: without it (EPERM), or
// without the addon, the answer is unknown. Microseconds, where probe() takes a child process.
import { MountError } from '../core/errors.js';
import { addonUnavailable } from '../native/addon.js';
import * as sys from '../native/syscalls.js';
import type { SetGroupForm } from './probe.js';

/** Per form: true when the kernel knows it, false when it does not, undefined when this process cannot tell. */
export type KnownForms = Record<SetGroupForm, boolean | undefined>;

/** A source no lookup finds: a name below a file. */
const UNFINDABLE_SOURCE = '/dev/null/set-group-probe';

/** What a call of one form with a source no lookup finds says of it. */
function knows(call: () => void): boolean | undefined {
  try {
    call();
  } catch (error) {
    if (!(error instanceof MountError)) throw error;
    if (error.code === 'ENOTDIR' || error.code === 'ENOENT') return true;
    return error.code === 'EINVAL' || error.code === 'ENOSYS' ? false : undefined;
  }
  return undefined; // an empty path found something: no answer to trust
}

function askKernel(): KnownForms {
  if (addonUnavailable()) return { mount: undefined, move_mount: undefined };
  return {
    mount: knows(() => sys.mountSetGroup(UNFINDABLE_SOURCE, '/')),
    move_mount: knows(() => sys.moveMountSetGroup(UNFINDABLE_SOURCE, '/')),
  };
}

let cached: KnownForms | undefined;

/** Which forms of set-group the kernel knows (asked once per process). */
export function knownForms(): KnownForms {
  cached ??= askKernel();
  return cached;
}
