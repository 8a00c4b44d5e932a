// The helper attach and detach run in a container's mount namespace when the kernel does not let a
// process change the propagation of a mount in another namespace (see probe.ts). Started as
// `nsenter --mount=/proc/PID/ns/mnt --root=/ --wd=/ -- node enter-child.js NAMESPACE`, with the
// volume as fd 3 (the caller resolved it inside the container's root): Node starts after nsenter
// has entered, so every thread of this process lives in the container's namespace, while the root
// directory is still the caller's, so /proc/self/fd/3 leads to exactly the volume.
//
// Protocol: prints `ready`; then for each line of flag names on stdin (`MS_SLAVE`,
// `MS_PRIVATE|MS_REC`) changes the volume's propagation and prints `{"ok":true}` or
// `{"code":"EINVAL"}`. Exits when stdin closes.
import { readlinkSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { MountError } from '../core/errors.js';
import { procPath } from '../core/place.js';
import * as sys from '../native/syscalls.js';
import { flagsValue, parseFlagsLine } from './flags.js';

const [namespace] = process.argv.slice(2) as [string];
/** The volume: fd 3, which mount(2) follows to exactly its mount. */
const volume = procPath(3);

/** Refuses to change anything unless this process is in the namespace the caller meant (a pid can be reused). */
function assertInNamespace(): void {
  const own = readlinkSync('/proc/self/ns/mnt');
  if (own !== namespace) throw new Error(`refusing: this helper is in mount namespace ${own}, not ${namespace}`);
}

function change(line: string): { ok: true } | { code: string } {
  const flags = parseFlagsLine(line);
  if (!flags) throw new Error(`unknown propagation flags: ${line}`);
  try {
    sys.changePropagation(volume, flagsValue(flags));
    return { ok: true };
  } catch (error) {
    if (error instanceof MountError) return { code: error.code };
    throw error;
  }
}

assertInNamespace();
process.stdout.write('ready\n');
for await (const line of createInterface({ input: process.stdin })) process.stdout.write(`${JSON.stringify(change(line))}\n`);
