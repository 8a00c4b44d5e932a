// The project's kernel tests (test/kernel) inside the patched guest, with set-group forced to
// mount(2) MS_SET_GROUP (MOUNT_SET_GROUP_TEST_METHOD=mount): successes, every EINVAL rule, EPERM,
// ENOENT, fds, sibling user namespaces, and attach/detach into containers. vitest runs in the guest
// as a guest job; every inner test must pass and none may be skipped, and the guest kernel must
// report no problem of its own afterwards.
import { readdirSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectCleanKernel, expectCompleted, runGuestJob, type GuestJob } from './guest-job.js';
import type { InnerOutcome } from './guest/vitest-outcome.js';
import { kernelOrSkip } from './helpers.js';
import { innerProblems, innerVitestCommand, tally } from './inner-vitest.js';

const kernel = kernelOrSkip('kernel tests in the VM');
/** Under TCG the whole run takes about 5 minutes on 2 CPUs; each test child gets up to 10. */
const CHILD_TIMEOUT_MS = 600_000;
const RUN_BUDGET_MS = 1_500_000;

/** The kernel test files, as vitest names them. */
function kernelTestFiles(): string[] {
  return readdirSync(new URL('../kernel', import.meta.url)).filter((name) => name.endsWith('.test.ts')).map((name) => `test/kernel/${name}`).sort();
}

describe.skipIf(!kernel)('the kernel tests inside the patched kernel, set-group through mount(2)', () => {
  let job: GuestJob<InnerOutcome>;
  let outcome: InnerOutcome;

  beforeAll(async () => {
    job = await runGuestJob<InnerOutcome>({
      kernel: kernel!,
      command: innerVitestCommand(['test/kernel'], { timeoutMs: CHILD_TIMEOUT_MS + 60_000 }),
      env: { MOUNT_SET_GROUP_TEST_METHOD: 'mount', MOUNT_SET_GROUP_TEST_CHILD_TIMEOUT_MS: String(CHILD_TIMEOUT_MS) },
      timeout: RUN_BUDGET_MS,
    });
    if (job.result === undefined) expectCompleted(job); // vitest never reported: fail with its exit status and stderr
    outcome = job.result!;
    const counts = tally(outcome);
    console.log(`kernel tests in the VM (method mount): ${counts.total} ran, ${counts.passed} passed, ${counts.failed} failed, ` +
      `${counts.skipped} skipped (guest run ${Math.round(job.totalMs / 1000)} s)`);
  }, RUN_BUDGET_MS + 60_000);

  it('runs every kernel test file', () => {
    expect([...outcome.modules].sort()).toEqual(kernelTestFiles());
  });

  it('forces the mount(2) form in the set-group suite', () => {
    expect(outcome.tests.filter((test) => test.module === 'test/kernel/set-group.test.ts' && test.name.startsWith('kernel set-group (method mount) > ')))
      .not.toHaveLength(0);
  });

  it('passes every inner test and skips none', () => {
    const problems = innerProblems(outcome);
    if (problems.length) expect.fail(`${problems.length} problem(s) in the kernel tests inside the VM:\n\n${problems.join('\n\n')}`);
    expect(job.status).toBe(0);
  });

  it('leaves the guest kernel without BUG, WARNING, oops or lockdep report', () => {
    expectCleanKernel(job);
  });
});
