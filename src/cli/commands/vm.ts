// mount-set-group vm [--kernel BZIMAGE] [--mem M] [--timeout S] -- CMD...: run CMD in a QEMU guest
// booted from a custom kernel (default: the MS_SET_GROUP-patched one) with the host root read-only.
// Exit status: CMD's; 124 when the timeout expired; 125 when the VM could not run CMD.
import { Command, InvalidArgumentError as CommanderArgumentError, Option } from 'commander';
import { CliExit } from '../errors.js';
import { VmError, VmTimeoutError } from '../../vm/errors.js';
import { runInVm } from '../../vm/run.js';
import type { AccelChoice } from '../../vm/accel.js';

/** Exit status when the timeout expired (as timeout(1)). */
export const EXIT_VM_TIMEOUT = 124;
/** Exit status when the VM could not run the command at all (as timeout(1) for its own failures). */
export const EXIT_VM_FAILED = 125;

interface VmCliOptions {
  kernel?: string;
  mem: number;
  timeout: number;
  writable?: string | false;
  accel?: AccelChoice;
  console?: boolean;
}

/** A commander parser for a positive number; `integer` also rejects fractions. */
function positive(what: string, integer: boolean): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
      throw new CommanderArgumentError(`${what} must be a positive ${integer ? 'integer' : 'number'}`);
    }
    return n;
  };
}

/** Runs the command in the VM and turns the outcome into the CLI's exit status. */
async function runVm(command: string[], options: VmCliOptions): Promise<void> {
  try {
    const result = await runInVm({
      command,
      mem: options.mem,
      timeout: options.timeout * 1000,
      ...(options.accel === undefined ? {} : { accel: options.accel }),
      ...(options.kernel === undefined ? {} : { kernel: options.kernel }),
      ...(options.writable === undefined ? {} : { writable: options.writable }),
      ...(options.console ? { onConsole: (text: string) => process.stderr.write(text) } : {}),
    });
    if (result.status !== 0) throw new CliExit(result.status);
  } catch (error) {
    if (error instanceof VmTimeoutError) throw new CliExit(EXIT_VM_TIMEOUT, `vm: ${error.message}`);
    if (error instanceof VmError) throw new CliExit(EXIT_VM_FAILED, `vm: ${error.message}`);
    throw error;
  }
}

export function vmCommand(): Command {
  return new Command('vm')
    .summary("run a command on a (patched) kernel under QEMU")
    .description(
      'Boot a kernel under QEMU with the host root shared read-only and the project directory writable, run CMD ' +
        'in the current directory, and exit with its status (124: timed out, 125: the VM could not run it). ' +
        'The default kernel is the MS_SET_GROUP-patched one built by `mount-set-group kernel-build` (`npm run kernel:build` in a clone).',
    )
    .usage('[options] -- CMD...')
    .option('--kernel <bzImage>', 'kernel to boot (default: the cached patched kernel)')
    .option('--mem <MiB>', 'guest memory in MiB', positive('--mem', true), 1024)
    .option('--timeout <seconds>', 'give up and kill QEMU after this many seconds, boot included', positive('--timeout', false), 300)
    .option('--writable <dir>', 'directory the guest may write, at the same path (default: the project directory)')
    .option('--no-writable', 'make nothing writable in the guest')
    .addOption(new Option('--accel <accel>', 'CPU accelerator: auto tries KVM and falls back to TCG (default: auto, or $MOUNT_SET_GROUP_VM_ACCEL)').choices(['auto', 'kvm', 'tcg']))
    .option('--console', 'copy the guest kernel console to stderr')
    .argument('<CMD...>', 'the command to run in the guest and its arguments')
    .action(runVm);
}
