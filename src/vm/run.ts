// runInVm: boot a kernel under QEMU with the host root as a read-only 9p root, run one command in
// the guest, stream its stdout and stderr to the caller, and resolve with its exit status.
//
// One run: a private host directory holds the generated init (the guest reads it through the
// read-only root before anything is mounted) and receives the exit status (it is also exported
// writable as the job directory); the command's output comes back over two virtio serial ports
// connected to Unix sockets this process listens on; the serial console goes to QEMU's stdout and is
// kept for error messages. KVM is tried first when it may work, with a short boot deadline, and TCG
// takes over when it hangs or aborts.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { firstAccel, KVM_BOOT_DEADLINE_MS, rememberKvmBroken, type AccelChoice } from './accel.js';
import { VmError, VmTimeoutError } from './errors.js';
import { guestInitScript, STATUS_FILE } from './guest-init.js';
import { findExecutable } from './host.js';
import { defaultKernel } from './kernel-cache.js';
import { QEMU_BINARY, qemuArgs, type Accel } from './qemu.js';
import { track, withParentDeathSignal } from './reaper.js';

export interface VmOptions {
  /** The command: an argv array, or a string run with `/bin/sh -c`. */
  command: string | readonly string[];
  /** The bzImage to boot (default: the cached patched kernel from `mount-set-group kernel-build`). */
  kernel?: string;
  /** Guest memory in MiB (default 1024). */
  mem?: number;
  /** Guest CPUs (default: up to 2). */
  cpus?: number;
  /** Milliseconds for the whole run, boot included (default 300 000). QEMU is killed when it expires. */
  timeout?: number;
  /** The directory the command runs in (default: process.cwd()). */
  cwd?: string;
  /**
   * A host directory the guest can write, mounted at the same path (default: the nearest directory at or
   * above cwd holding a package.json; none if there is none). `false`: nothing is writable.
   */
  writable?: string | false;
  /** Variables added to the guest command's environment (PATH, HOME=/tmp, TMPDIR=/tmp, LANG, TERM are set). */
  env?: Readonly<Record<string, string>>;
  /** 'auto' (default, or $MOUNT_SET_GROUP_VM_ACCEL): KVM if it works, else TCG. */
  accel?: AccelChoice;
  /** Where the command's stdout and stderr go (default: this process's). */
  stdout?: Writable;
  stderr?: Writable;
  /** Receives the guest's serial console output (kernel messages) as it comes. */
  onConsole?: (text: string) => void;
}

export interface VmResult {
  /** The command's exit status (128 + signal number when a signal ended it, as in a shell). */
  status: number;
  accel: Accel;
  /** Milliseconds from starting QEMU to the guest's init starting the command. */
  bootMs: number;
  /** Milliseconds from starting QEMU to QEMU's exit. */
  totalMs: number;
}

/** Everything one QEMU start needs, fixed for the whole run. */
interface RunContext {
  qemu: string;
  kernel: string;
  memMiB: number;
  cpus: number;
  jobDir: string;
  runDir: string;
  init: string;
  writable?: string;
  marker: string;
  stdout: Writable;
  stderr: Writable;
  onConsole?: (text: string) => void;
  deadline: number;
  timeoutMs: number;
}

/** What one QEMU start came to. */
type Attempt = { kind: 'ran'; status: number; bootMs: number; totalMs: number } | { kind: 'kvm-failed'; reason: string };

/** Directories the guest mounts its own filesystems on: host files there are hidden in the guest. */
const GUEST_OWN_DIRS = ['/tmp', '/run', '/proc', '/sys', '/dev'];
/** Those of them whose host directories init can keep visible (read-only) under its tmpfs. */
const KEEPABLE_DIRS = ['/tmp', '/run'];
const DEFAULT_TIMEOUT_MS = 300_000;
const CONSOLE_KEEP_CHARS = 64 * 1024;

/** True when `dir` is `parent` or inside it. */
function within(dir: string, parent: string): boolean {
  const rel = relative(parent, dir);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** The nearest directory at or above `dir` that holds a package.json, if any. */
export function projectRoot(dir: string): string | undefined {
  for (let d = resolve(dir); ; d = dirname(d)) {
    if (existsSync(join(d, 'package.json'))) return d;
    if (d === dirname(d)) return undefined;
  }
}

/** The writable export for these options, checked: an existing directory, never `/`, not a pseudo filesystem. */
function writableDir(option: string | false | undefined, cwd: string): string | undefined {
  if (option === false) return undefined;
  const dir = option === undefined ? projectRoot(cwd) : resolve(option);
  if (dir === undefined) return undefined;
  if (dir === '/') throw new VmError('refusing to export / writable to the VM; pass a dedicated directory');
  if (['/proc', '/sys', '/dev'].some((own) => within(dir, own))) throw new VmError(`cannot export ${dir} writable: the guest mounts its own ${dir.split('/')[1]}`);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new VmError(`writable directory ${dir} does not exist`);
  return dir;
}

/**
 * The directories init must keep visible: `cwd` when the guest's own /tmp or /run would hide it and it is not
 * exported writable (it then stays read-only). Fails for a `cwd` the guest cannot show at all.
 */
function hiddenCwd(cwd: string, writable: string | undefined): string[] {
  if (!existsSync(cwd) || !statSync(cwd).isDirectory()) throw new VmError(`working directory ${cwd} does not exist`);
  const own = GUEST_OWN_DIRS.find((d) => within(cwd, d));
  if (own === undefined || (writable && within(cwd, writable))) return [];
  if (!KEEPABLE_DIRS.includes(own) || cwd === own) throw new VmError(`working directory ${cwd} is hidden in the guest by its own ${own}`);
  return [cwd];
}

/** The bzImage to boot: the given one, or the cached patched kernel. */
function kernelPath(kernel: string | undefined): string {
  if (kernel !== undefined) {
    if (!existsSync(kernel)) throw new VmError(`kernel ${kernel} does not exist`);
    return resolve(kernel);
  }
  const found = defaultKernel();
  if ('missing' in found) throw new VmError(found.missing);
  return found.path;
}

/** The QEMU binary, or an error saying how to install it. */
function qemuPath(): string {
  const qemu = findExecutable(QEMU_BINARY);
  if (!qemu) throw new VmError(`${QEMU_BINARY} not found on PATH; install it with: sudo apt-get install qemu-system-x86`);
  if (!existsSync('/bin/busybox')) throw new VmError('/bin/busybox (the guest init\'s shell) is missing; install it with: sudo apt-get install busybox-static');
  return qemu;
}

/** The command's environment in the guest. */
function guestEnv(extra: Readonly<Record<string, string>> | undefined): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    HOME: '/tmp',
    TMPDIR: '/tmp',
    LANG: 'C.UTF-8',
    TERM: 'dumb',
    MOUNT_SET_GROUP_VM: '1',
    ...extra,
  };
}

/** The last lines of the console, without carriage returns. */
function consoleTail(text: string, lines = 40): string {
  return text.replaceAll('\r', '').trimEnd().split('\n').slice(-lines).join('\n');
}

/** A Unix socket server that forwards whatever QEMU sends to `sink`; `close()` resolves once all data is in. */
async function listenOutput(path: string, sink: Writable): Promise<{ close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('data', (chunk) => sink.write(chunk));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(path, resolveListen);
  });
  const close = (): Promise<void> =>
    new Promise((resolveClose) => {
      const force = setTimeout(() => sockets.forEach((s) => s.destroy()), 5000);
      server.close(() => {
        clearTimeout(force);
        resolveClose();
      });
    });
  return { close };
}

/** The command's exit status as init wrote it, or undefined when it wrote none. */
function readStatus(jobDir: string): number | undefined {
  try {
    const status = Number.parseInt(readFileSync(join(jobDir, STATUS_FILE), 'utf8'), 10);
    return Number.isNaN(status) ? undefined : status;
  } catch {
    return undefined;
  }
}

/** Starts QEMU once with `accel` and waits for it to end: the command ran, KVM failed, or an error. */
async function attempt(ctx: RunContext, accel: Accel): Promise<Attempt> {
  const sockets = { stdout: join(ctx.runDir, `${accel}-out.sock`), stderr: join(ctx.runDir, `${accel}-err.sock`) };
  const out = await listenOutput(sockets.stdout, ctx.stdout);
  const err = await listenOutput(sockets.stderr, ctx.stderr);
  const args = qemuArgs({
    kernel: ctx.kernel, memMiB: ctx.memMiB, cpus: ctx.cpus, accel, init: ctx.init, jobDir: ctx.jobDir,
    ...(ctx.writable === undefined ? {} : { writable: ctx.writable }),
    stdoutSocket: sockets.stdout, stderrSocket: sockets.stderr,
  });
  const [command, argv] = withParentDeathSignal(ctx.qemu, args);
  const started = Date.now();
  const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  track(child, () => rmSync(ctx.runDir, { recursive: true, force: true }));

  let consoleText = '';
  let qemuStderr = '';
  let bootMs: number | undefined;
  let ending: 'timeout' | 'kvm-hang' | undefined;
  const kill = (why: 'timeout' | 'kvm-hang'): void => {
    ending ??= why;
    child.kill('SIGKILL');
  };
  child.stdout.on('data', (chunk: Buffer) => {
    const text = chunk.toString();
    consoleText = (consoleText + text).slice(-CONSOLE_KEEP_CHARS);
    ctx.onConsole?.(text);
    if (bootMs === undefined && consoleText.includes(ctx.marker)) bootMs = Date.now() - started;
  });
  child.stderr.on('data', (chunk: Buffer) => {
    qemuStderr = (qemuStderr + chunk.toString()).slice(-CONSOLE_KEEP_CHARS);
  });
  const timeout = setTimeout(() => kill('timeout'), Math.max(0, ctx.deadline - Date.now()));
  const kvmDeadline = accel === 'kvm' ? setTimeout(() => bootMs === undefined && kill('kvm-hang'), KVM_BOOT_DEADLINE_MS) : undefined;

  const exit = await new Promise<{ code: number | null; spawnError?: Error }>((resolveExit) => {
    child.once('error', (spawnError) => resolveExit({ code: null, spawnError }));
    child.once('close', (code) => resolveExit({ code }));
  });
  clearTimeout(timeout);
  clearTimeout(kvmDeadline);
  await Promise.all([out.close(), err.close()]);
  const totalMs = Date.now() - started;
  const tail = consoleTail(consoleText.replace(ctx.marker, ''));

  if (exit.spawnError) throw new VmError(`could not start ${ctx.qemu}: ${exit.spawnError.message}`);
  if (ending === 'timeout') throw new VmTimeoutError(ctx.timeoutMs, tail);
  if (accel === 'kvm' && bootMs === undefined) {
    const reason = ending === 'kvm-hang'
      ? `the KVM guest did not reach init within ${KVM_BOOT_DEADLINE_MS / 1000} s`
      : `QEMU with KVM exited (${exit.code}) before init: ${qemuStderr.trim().split('\n').slice(-3).join(' / ')}`;
    return { kind: 'kvm-failed', reason };
  }
  const status = readStatus(ctx.jobDir);
  if (status === undefined) {
    const why = exit.code === 0 ? 'the guest ended without reporting the command\'s exit status (init failed or the kernel panicked)'
      : `QEMU exited with status ${exit.code}: ${qemuStderr.trim()}`;
    throw new VmError(why, tail);
  }
  return { kind: 'ran', status, bootMs: bootMs ?? totalMs, totalMs };
}

/** Boots `options.kernel` under QEMU, runs `options.command` in the guest and resolves with its exit status. */
export async function runInVm(options: VmOptions): Promise<VmResult> {
  const qemu = qemuPath();
  const kernel = kernelPath(options.kernel);
  const cwd = resolve(options.cwd ?? process.cwd());
  const writable = writableDir(options.writable, cwd);
  const keep = hiddenCwd(cwd, writable);
  const argv = typeof options.command === 'string' ? ['/bin/sh', '-c', options.command] : [...options.command];
  if (argv.length === 0) throw new VmError('no command to run');
  const timeoutMs = options.timeout ?? DEFAULT_TIMEOUT_MS;

  const runDir = mkdtempSync(join(tmpdir(), 'msg-vm-'));
  try {
    const jobDir = join(runDir, 'job');
    mkdirSync(jobDir);
    const marker = `msg-vm:${randomBytes(8).toString('hex')}:started`;
    const init = join(jobDir, 'init');
    writeFileSync(init, guestInitScript({ argv, cwd, env: guestEnv(options.env), startedMarker: marker, keep, ...(writable ? { writable } : {}) }), { mode: 0o755 });
    const ctx: RunContext = {
      qemu, kernel, memMiB: options.mem ?? 1024, cpus: options.cpus ?? Math.min(2, cpus().length),
      jobDir, runDir, init, marker, deadline: Date.now() + timeoutMs, timeoutMs,
      stdout: options.stdout ?? process.stdout, stderr: options.stderr ?? process.stderr,
      ...(writable ? { writable } : {}), ...(options.onConsole ? { onConsole: options.onConsole } : {}),
    };
    return await runWithFallback(ctx, options.accel ?? accelFromEnv());
  } finally {
    rmSync(runDir, { recursive: true, force: true });
  }
}

/** The accelerator choice from $MOUNT_SET_GROUP_VM_ACCEL (auto, kvm or tcg). */
function accelFromEnv(): AccelChoice {
  const value = process.env.MOUNT_SET_GROUP_VM_ACCEL ?? 'auto';
  if (value === 'auto' || value === 'kvm' || value === 'tcg') return value;
  throw new VmError(`MOUNT_SET_GROUP_VM_ACCEL must be auto, kvm or tcg, not '${value}'`);
}

/** Runs with KVM when it is a candidate, and with TCG when KVM fails before the command starts. */
async function runWithFallback(ctx: RunContext, choice: AccelChoice): Promise<VmResult> {
  let accel = firstAccel(choice, ctx.qemu);
  let result = await attempt(ctx, accel);
  if (result.kind === 'kvm-failed') {
    if (choice === 'kvm') throw new VmError(`KVM does not work here: ${result.reason}`);
    rememberKvmBroken(ctx.qemu, result.reason);
    ctx.onConsole?.(`\n[mount-set-group vm: ${result.reason}; using TCG from now on]\n`);
    accel = 'tcg';
    result = await attempt(ctx, accel);
  }
  if (result.kind !== 'ran') throw new VmError(`TCG run failed: ${result.reason}`);
  return { status: result.status, accel, bootMs: result.bootMs, totalMs: result.totalMs };
}
