// Test child (runs under unshare -m --propagation private, as root or, with setpriv, as nobody): which
// forms of set-group knownForms() finds, whether asking changed any mount, and what set-group and a
// new mount say to a process without CAP_SYS_ADMIN. Prints JSON.
import { readFileSync } from 'node:fs';
import { MountError } from '../../../src/core/errors.js';
import { KernelNamespace } from '../../../src/kernel/namespace.js';
import { knownForms } from '../../../src/set-group/forms.js';
import { setGroup } from '../../../src/set-group/set-group.js';

function outcome(call: () => unknown): { ok: true } | { code: string; reason?: string } {
  try {
    call();
    return { ok: true };
  } catch (error) {
    if (!(error instanceof MountError)) throw error;
    return { code: error.code, reason: error.reason };
  }
}

const before = readFileSync('/proc/self/mountinfo', 'utf8');
const forms = knownForms();
const unchanged = readFileSync('/proc/self/mountinfo', 'utf8') === before;
const asNobody = process.getuid?.() !== 0;
process.stdout.write(
  JSON.stringify({
    forms: { mount: forms.mount ?? null, move_mount: forms.move_mount ?? null },
    unchanged,
    ...(asNobody ? { setGroup: outcome(() => setGroup('/tmp', '/tmp')), mount: outcome(() => new KernelNamespace().mount('tmpfs', 'x', '/tmp')) } : {}),
  }),
);
