// The QEMU command line for one run: the host root exported read-only over 9p as the guest's root,
// a writable job export, an optional writable project export, the serial console on QEMU's stdout,
// and two virtio serial ports connected to Unix sockets the runner listens on.
import { JOB_TAG, STDERR_PORT, STDOUT_PORT, WRITABLE_TAG } from './guest-init.js';

/** How the guest CPU runs: KVM, or QEMU's own translator (TCG). */
export type Accel = 'kvm' | 'tcg';

export interface QemuSpec {
  kernel: string;
  /** Guest memory in MiB. */
  memMiB: number;
  cpus: number;
  accel: Accel;
  /** The guest path of the init script. */
  init: string;
  /** The host directory exported as the job directory. */
  jobDir: string;
  /** The host directory exported read-write at the same path, if any. */
  writable?: string;
  /** Unix sockets the runner listens on, for the command's stdout and stderr. */
  stdoutSocket: string;
  stderrSocket: string;
}

/** The binary for x86_64 guests. */
export const QEMU_BINARY = 'qemu-system-x86_64';

/**
 * The kernel command line: 9p root (the tag is `root`; `/dev/root` does not work), read-only and
 * cached (safe because the export is read-only; `node -e 0` is 10x faster), quiet serial console,
 * reboot at once on panic, and a reliable TSC so that the guest does not fall back to jiffies.
 */
export function kernelCommandLine(init: string): string {
  return [
    'console=ttyS0', 'root=root', 'rootfstype=9p',
    'rootflags=trans=virtio,version=9p2000.L,msize=512000,cache=loose', 'ro',
    `init=${init}`, 'panic=-1', 'quiet', 'tsc=reliable',
  ].join(' ');
}

/** A value inside a QEMU `key=value,...` option: commas are doubled. */
function optionValue(value: string): string {
  return value.replaceAll(',', ',,');
}

/** A `-fsdev` + virtio-9p device pair exporting `path` under `tag`. */
function export9p(tag: string, path: string, readonly: boolean): string[] {
  const ro = readonly ? ',readonly=on' : '';
  return [
    '-fsdev', `local,id=${tag},path=${optionValue(path)},security_model=none,multidevs=remap${ro}`,
    '-device', `virtio-9p-pci,fsdev=${tag},mount_tag=${tag}`,
  ];
}

/** A virtio serial port named `name` whose host end connects to the Unix socket `socket`. */
function serialPort(id: string, name: string, socket: string): string[] {
  return ['-chardev', `socket,id=${id},path=${optionValue(socket)}`, '-device', `virtserialport,bus=vser.0,chardev=${id},name=${name}`];
}

/** QEMU's arguments for `spec`. `-no-reboot` turns the guest's final `reboot -f` into QEMU's exit. */
export function qemuArgs(spec: QemuSpec): string[] {
  if (spec.writable === '/') throw new Error('refusing to export / writable to the VM');
  return [
    '-nodefaults', '-no-user-config', '-no-reboot', '-display', 'none',
    '-accel', spec.accel, '-cpu', spec.accel === 'kvm' ? 'host' : 'max',
    '-m', String(spec.memMiB),
    // Without ACPI the guest finds its CPUs in the MP table, which lists sockets, not cores.
    '-smp', `${spec.cpus},sockets=${spec.cpus},cores=1,threads=1`,
    '-kernel', spec.kernel, '-append', kernelCommandLine(spec.init),
    '-chardev', 'stdio,id=console,signal=off', '-serial', 'chardev:console',
    ...export9p('root', '/', true),
    ...export9p(JOB_TAG, spec.jobDir, false),
    ...(spec.writable === undefined ? [] : export9p(WRITABLE_TAG, spec.writable, false)),
    '-device', 'virtio-serial-pci,id=vser',
    ...serialPort('msgout', STDOUT_PORT, spec.stdoutSocket),
    ...serialPort('msgerr', STDERR_PORT, spec.stderrSocket),
  ];
}
