// One job in the patched guest, and what it leaves behind: its JSON result, the guest kernel's log
// (dmesg), its taint flags and lockdep's state, read after the job's command ends and before the
// guest reboots. The project directory is read-only in the guest; the only writable place is a
// fresh host directory that receives those files.
//
// A job's command finds the file for its result in $MOUNT_SET_GROUP_VM_RESULT (from a guest script:
// writeResult() in ./guest/result.ts).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { expect } from 'vitest';
import { runInVm } from '../../src/vm/run.js';
import { dmesgProblems } from './dmesg.js';
import { RESULT_VARIABLE } from './guest/result.js';
import { collector } from './helpers.js';

/** The project root: the guest's working directory, read-only there. */
export const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The argv that runs a TypeScript module of this project with Node and tsx (a guest script under ./guest/, the CLI). */
export function tsxCommand(module: URL, args: readonly string[] = []): string[] {
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return [process.execPath, '--import', tsx, fileURLToPath(module), ...args];
}

export interface GuestJobOptions {
  kernel: string;
  /** The command's argv; it runs in PROJECT_ROOT. */
  command: readonly string[];
  /** Variables added to its environment. */
  env?: Readonly<Record<string, string>>;
  /** Milliseconds for the whole run, boot included. */
  timeout: number;
  /** Guest memory in MiB (default 1024). */
  mem?: number;
}

export interface GuestJob<T> {
  /** The command's exit status. */
  status: number;
  /** What the command wrote to $MOUNT_SET_GROUP_VM_RESULT, parsed; undefined when it wrote nothing. */
  result: T | undefined;
  /** The guest kernel's log (dmesg) after the command. */
  dmesg: string;
  /** /proc/sys/kernel/tainted after the command: 0 unless the kernel warned, oopsed or was otherwise tainted. */
  tainted: number;
  /** lockdep's debug_locks after the command: false once lockdep has reported a problem and turned itself off. */
  debugLocks: boolean;
  stdout: string;
  stderr: string;
  /** The guest's serial console. */
  console: string;
  bootMs: number;
  totalMs: number;
}

/** Files the wrapper leaves in the job's directory. */
const FILES = { result: 'result.json', dmesg: 'dmesg.txt', tainted: 'tainted', lockdep: 'lockdep_stats' } as const;

/** Runs "$@" in the guest, then copies the kernel's log and state into $1's directory; exits with the command's status. */
const WRAPPER = [
  'out=$1; shift',
  '"$@"; status=$?',
  `dmesg > "$out/${FILES.dmesg}"`,
  `cat /proc/sys/kernel/tainted > "$out/${FILES.tainted}"`,
  `cat /proc/lockdep_stats > "$out/${FILES.lockdep}"`,
  'exit $status',
].join('\n');

/** A file the wrapper must have left, or an error naming it. */
function required(dir: string, name: string): string {
  const path = join(dir, name);
  if (!existsSync(path)) throw new Error(`the guest job left no ${name}: the wrapper did not finish`);
  return readFileSync(path, 'utf8');
}

/** lockdep's debug_locks flag from /proc/lockdep_stats. */
function debugLocksOf(stats: string): boolean {
  const value = /^\s*debug_locks:\s*(\d+)$/m.exec(stats)?.[1];
  if (value === undefined) throw new Error(`no debug_locks line in /proc/lockdep_stats (is PROVE_LOCKING on?):\n${stats}`);
  return value === '1';
}

/** Boots the patched kernel, runs the job's command and brings back its result and the kernel's state. */
export async function runGuestJob<T>(options: GuestJobOptions): Promise<GuestJob<T>> {
  const dir = mkdtempSync(join(tmpdir(), 'msg-vm-job-'));
  try {
    const out = collector();
    const err = collector();
    let consoleText = '';
    const run = await runInVm({
      kernel: options.kernel,
      command: ['/bin/sh', '-c', WRAPPER, 'guest-job', dir, ...options.command],
      cwd: PROJECT_ROOT,
      writable: dir,
      env: { ...options.env, [RESULT_VARIABLE]: join(dir, FILES.result) },
      timeout: options.timeout,
      ...(options.mem === undefined ? {} : { mem: options.mem }),
      stdout: out.stream,
      stderr: err.stream,
      onConsole: (text) => (consoleText += text),
    });
    const resultPath = join(dir, FILES.result);
    return {
      status: run.status,
      result: existsSync(resultPath) ? (JSON.parse(readFileSync(resultPath, 'utf8')) as T) : undefined,
      dmesg: required(dir, FILES.dmesg),
      tainted: Number(required(dir, FILES.tainted)),
      debugLocks: debugLocksOf(required(dir, FILES.lockdep)),
      stdout: out.text(),
      stderr: err.text(),
      console: consoleText,
      bootMs: run.bootMs,
      totalMs: run.totalMs,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The end of a text, for failure messages. */
export function tail(text: string, lines = 30): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** Fails unless the job's command exited 0 and left a result; the message carries its stderr. */
export function expectCompleted<T>(job: GuestJob<T>): T {
  expect(job.status, `the guest command exited ${job.status}; its stderr ends:\n${tail(job.stderr)}`).toBe(0);
  expect(job.result, `the guest command wrote no result; its stdout ends:\n${tail(job.stdout)}`).toBeDefined();
  return job.result!;
}

/** Fails when the guest kernel reported a problem of its own: a BUG, WARNING, oops or lockdep line, a taint, lockdep off. */
export function expectCleanKernel(job: GuestJob<unknown>): void {
  const problems = dmesgProblems(job.dmesg).map(({ kind, line }) => `${kind}: ${line}`);
  if (problems.length) expect.fail(`the guest kernel reported problems:\n${problems.join('\n')}\n--- its log ends:\n${tail(job.dmesg, 80)}`);
  expect(job.tainted, 'the guest kernel is tainted (/proc/sys/kernel/tainted)').toBe(0);
  expect(job.debugLocks, 'lockdep turned itself off (debug_locks 0): it reported a problem').toBe(true);
}
