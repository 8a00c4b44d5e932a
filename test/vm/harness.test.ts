// The harness the VM suites share: dmesgProblems() on kernel splats (one of them real, from the
// patched guest), the outcome reporter and its judge on a real vitest run, and runGuestJob() on the
// patched guest: a clean boot leaves a clean log and state, and a problem written into the guest's
// log, or a taint, makes expectCleanKernel() fail.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dmesgProblems, problemKind } from './dmesg.js';
import { expectCleanKernel, expectCompleted, PROJECT_ROOT, runGuestJob } from './guest-job.js';
import { RESULT_VARIABLE } from './guest/result.js';
import type { InnerOutcome } from './guest/vitest-outcome.js';
import { kernelOrSkip } from './helpers.js';
import { innerProblems, innerVitestCommand, tally } from './inner-vitest.js';

const kernel = kernelOrSkip('guest job tests');
const BOOT_BUDGET_MS = 120_000;
const TEST_BUDGET_MS = BOOT_BUDGET_MS + 30_000;

/** A WARN_ON in the format of kernel/panic.c __warn() and lib/dump_stack.c, as 6.12 prints it. */
const WARN_SPLAT = `[   41.201337] ------------[ cut here ]------------
[   41.201512] WARNING: CPU: 1 PID: 212 at fs/namespace.c:3123 do_set_group+0x1c4/0x1e0
[   41.201744] CPU: 1 UID: 0 PID: 212 Comm: node Not tainted 6.12.117-mount-set-group #1
[   41.201902] RIP: 0010:do_set_group+0x1c4/0x1e0
[   41.202310] Call Trace:
[   41.202355]  <TASK>
[   41.202389]  path_mount+0x5b1/0x7e0
[   41.202431]  __x64_sys_mount+0x102/0x140
[   41.202477]  do_syscall_64+0x4b/0x110
[   41.202513]  </TASK>
[   41.202540] ---[ end trace 0000000000000000 ]---`;

/** A lockdep report in the format of kernel/locking/lockdep.c print_circular_bug_header(). */
const LOCKDEP_SPLAT = `[   88.310021] ======================================================
[   88.310144] WARNING: possible circular locking dependency detected
[   88.310260] 6.12.117-mount-set-group #1 Not tainted
[   88.310371] ------------------------------------------------------
[   88.310482] node/301 is trying to acquire lock:
[   88.310590] ffff8880041c2e30 (namespace_sem){++++}-{4:4}, at: lock_mount+0x4f/0x140
[   88.312004] stack backtrace:
[   88.312108] Call Trace:`;

/** A NULL dereference: arch/x86/mm/fault.c and dumpstack.c __die_header(). */
const OOPS_SPLAT = `[  120.000101] BUG: kernel NULL pointer dereference, address: 0000000000000010
[  120.000233] #PF: supervisor read access in kernel mode
[  120.000350] Oops: Oops: 0000 [#1] SMP
[  120.000467] Call Trace:
[  120.000581] Kernel panic - not syncing: Fatal exception`;

describe('dmesgProblems', () => {
  it('finds a WARN_ON splat: the WARNING line and its Call Trace', () => {
    expect(dmesgProblems(WARN_SPLAT).map((p) => p.kind)).toEqual(['WARNING', 'call trace']);
    expect(dmesgProblems(WARN_SPLAT)[0]!.line).toContain('at fs/namespace.c:3123 do_set_group');
  });

  it('tells a lockdep report from a plain WARNING', () => {
    expect(dmesgProblems(LOCKDEP_SPLAT).map((p) => p.kind)).toEqual(['lockdep', 'call trace']);
  });

  it('finds a BUG, the oops and the panic that follow it', () => {
    expect(dmesgProblems(OOPS_SPLAT).map((p) => p.kind)).toEqual(['BUG', 'oops', 'call trace', 'panic']);
  });

  it('finds both stack dumps in a real log of the patched guest: an OOM kill and the allocation failure after it', () => {
    // Captured from \`mount-set-group vm --mem 256\` running a Python loop that mlockall()s and grows a list.
    const log = readFileSync(new URL('./fixtures/oom-dmesg.txt', import.meta.url), 'utf8');
    expect(dmesgProblems(log).map((p) => p.kind)).toEqual(['oom', 'call trace', 'call trace']);
    expect(dmesgProblems(log)[0]!.line).toMatch(/^\[ +38\.566336\] python3 invoked oom-killer: /);
  });

  it.each([
    ['a bare line', 'WARNING: suspicious RCU usage', 'lockdep'],
    ['a caller id after the time', '[   15.182391][    C3] Call Trace:', 'call trace'],
    ['lockdep giving up', '[    9.1] INFO: lockdep is turned off.', 'lockdep'],
    ['kernel BUG at', '[    3.3] kernel BUG at mm/slub.c:441!', 'BUG'],
    ['an older general protection fault', 'general protection fault: 0000 [#1] SMP', 'oops'],
  ])('reads %s', (_name, line, kind) => {
    expect(problemKind(line)).toBe(kind);
  });

  it.each([
    '[    0.000000] rcu: 	RCU lockdep checking is enabled.',
    '[    0.000000] ... MAX_LOCKDEP_KEYS:        8192',
    '[   18.322404] hrtimer: interrupt took 11934142 ns',
    '[    1.734845] Run /tmp/msg-vm-hezbx3/job/init as init process',
  ])('leaves an ordinary boot line alone: %s', (line) => {
    expect(problemKind(line)).toBeUndefined();
  });
});

describe('the outcome reporter and its judge, on a real vitest run', () => {
  const dir = mkdtempSync(join(tmpdir(), 'msg-vm-reporter-'));
  let outcome: InnerOutcome;

  beforeAll(() => {
    const config = fileURLToPath(new URL('./fixtures/vitest.config.ts', import.meta.url));
    const [node, ...args] = innerVitestCommand([], { timeoutMs: 30_000, config }) as [string, ...string[]];
    const run = spawnSync(node, args, { cwd: PROJECT_ROOT, encoding: 'utf8', env: { ...process.env, [RESULT_VARIABLE]: join(dir, 'outcome.json') } });
    expect(run.status, run.stderr).toBe(1);
    outcome = JSON.parse(readFileSync(join(dir, 'outcome.json'), 'utf8')) as InnerOutcome;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('records each test with its state, and the run as failed', () => {
    expect(outcome.reason).toBe('failed');
    expect(outcome.modules).toEqual(['test/vm/fixtures/outcomes.fixture.ts']);
    expect(tally(outcome)).toEqual({ total: 4, passed: 1, failed: 1, skipped: 2, pending: 0 });
  });

  it('names the failed test with its assertion, each skip, and the error of the suite whose beforeAll threw', () => {
    const problems = innerProblems(outcome);
    expect(problems).toHaveLength(5);
    expect(problems[0]).toMatch(/^failed: test\/vm\/fixtures\/outcomes\.fixture\.ts > plain > fails an assertion\n.*expected 'ENOENT' to be 'EBADF'/s);
    expect(problems[0]).toMatch(/at .*\/outcomes\.fixture\.ts:\d+:\d+/);
    expect(problems[0]).not.toMatch(/node_modules|<anonymous>/);
    expect(problems.slice(1, 3)).toEqual([
      'skipped: test/vm/fixtures/outcomes.fixture.ts > plain > is skipped',
      'skipped: test/vm/fixtures/outcomes.fixture.ts > setup > never runs',
    ]);
    expect(problems[3]).toMatch(/^error in test\/vm\/fixtures\/outcomes\.fixture\.ts > setup:\nError: the child failed \(SIGTERM\)/);
    expect(problems[4]).toBe('the run ended: failed');
  });

  it('calls a run without tests a problem', () => {
    expect(innerProblems({ reason: 'passed', modules: [], tests: [], errors: [] })).toEqual(['no tests ran']);
  });
});

describe.skipIf(!kernel)('runGuestJob on the patched kernel', () => {
  it('brings back the result, the kernel log and a clean kernel state', async () => {
    const script = `require('fs').writeFileSync(process.env.${RESULT_VARIABLE}, JSON.stringify({ release: require('os').release(), cwd: process.cwd() }))`;
    const job = await runGuestJob<{ release: string; cwd: string }>({ kernel: kernel!, command: ['node', '-e', script], timeout: BOOT_BUDGET_MS });
    expect(expectCompleted(job)).toEqual({ release: expect.stringMatching(/-mount-set-group$/), cwd: PROJECT_ROOT.replace(/\/$/, '') });
    expect(job.dmesg).toMatch(/Linux version 6\.12\.\d+-mount-set-group/);
    expect(job.dmesg).toMatch(/RCU lockdep checking is enabled/);
    expectCleanKernel(job);
  }, TEST_BUDGET_MS);

  it('fails expectCleanKernel on a WARNING line in the guest log, and on a taint', async () => {
    const warn = 'echo "<4>WARNING: CPU: 0 PID: 1 at test/vm/harness.test.ts:0 written-by-the-test" > /dev/kmsg';
    const taint = 'echo 64 > /proc/sys/kernel/tainted'; // TAINT_USER: "user-space defined naughtiness"
    const job = await runGuestJob({ kernel: kernel!, command: ['sh', '-c', `${warn}; ${taint}`], timeout: BOOT_BUDGET_MS });
    expect(dmesgProblems(job.dmesg).map((p) => p.kind)).toEqual(['WARNING']);
    expect(() => expectCleanKernel(job)).toThrow(/reported problems:\nWARNING: \[ *[\d.]+\] WARNING: CPU: 0 PID: 1 at .*written-by-the-test/);
    expect(() => expectCleanKernel({ ...job, dmesg: '' })).toThrow(/tainted/);
    expect(job.tainted).toBe(64);
  }, TEST_BUDGET_MS);
});
