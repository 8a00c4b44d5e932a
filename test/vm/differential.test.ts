// The model against the patched 6.12 kernel, inside the VM (issue 5, parts 4c and 4d):
// - the fixed-seed differential batch and the regression scenarios of npm test, run in the guest
//   with set-group through mount(2) MS_SET_GROUP; every inner test must pass and none skip;
// - a stress loop of random operations (at least 10,000, set-group through mount(2) among them)
//   compared line by line with the model set to 6.12, after which the guest kernel's log must hold
//   no BUG, WARNING, oops or lockdep report.
import { beforeAll, describe, expect, it } from 'vitest';
import { expectCleanKernel, runGuestJob, tail, tsxCommand, type GuestJob } from './guest-job.js';
import type { InnerOutcome } from './guest/vitest-outcome.js';
import { kernelOrSkip } from './helpers.js';
import { innerProblems, innerVitestCommand, tally } from './inner-vitest.js';

const kernel = kernelOrSkip('the differential batch and stress loop in the VM');

describe.skipIf(!kernel)('the fixed-seed differential batch inside the patched kernel', () => {
  let job: GuestJob<InnerOutcome>;

  beforeAll(async () => {
    job = await runGuestJob<InnerOutcome>({
      kernel: kernel!,
      command: innerVitestCommand(['test/differential/differential.test.ts', 'test/model/regressions.test.ts'], { timeoutMs: 1_200_000 }),
      env: { MOUNT_SET_GROUP_TEST_METHOD: 'mount' },
      timeout: 1_500_000,
    });
    const counts = job.result && tally(job.result);
    console.log(`differential batch in the VM: ${JSON.stringify(counts)} (guest run ${Math.round(job.totalMs / 1000)} s)`);
  }, 1_560_000);

  it('passes every inner test and skips none', () => {
    expect(job.result, `vitest in the guest reported nothing; its stderr ends:\n${tail(job.stderr)}`).toBeDefined();
    const problems = innerProblems(job.result!);
    if (problems.length) expect.fail(`${problems.length} problem(s) in the differential batch inside the VM:\n\n${problems.join('\n\n')}`);
    expect(tally(job.result!).passed).toBeGreaterThan(0);
    expect(job.status).toBe(0);
  });

  it('leaves the guest kernel without BUG, WARNING, oops or lockdep report', () => {
    expectCleanKernel(job);
  });
});

describe.skipIf(!kernel)('a stress loop of random operations with mount(2) MS_SET_GROUP inside the patched kernel', () => {
  let job: GuestJob<unknown>;
  const fuzz = new URL('../differential/fuzz.ts', import.meta.url);

  beforeAll(async () => {
    const args = ['--runs', '250', '--min-ops', '40', '--max-ops', '60', '--seed', '1', '--set-group-method', 'mount', '--kernel-version', '6.12', '--no-timing'];
    job = await runGuestJob({ kernel: kernel!, command: tsxCommand(fuzz, args), timeout: 1_800_000 });
    console.log(`stress loop in the VM: ${job.stdout.trim().split('\n').at(-1)} (guest run ${Math.round(job.totalMs / 1000)} s)`);
  }, 1_860_000);

  it('runs at least 10,000 operations with no divergence from the model and no invariant violation', () => {
    const summary = /^fuzz: (\d+) runs, (\d+) ops, (\d+) divergences$/m.exec(job.stdout);
    expect(summary, `no summary line; stdout ends:\n${tail(job.stdout)}\nstderr ends:\n${tail(job.stderr)}`).not.toBeNull();
    const [, runs, ops, divergences] = summary!.map(Number) as [number, number, number, number];
    expect(runs).toBe(250);
    expect(ops).toBeGreaterThanOrEqual(10_000);
    expect(divergences).toBe(0);
    expect(job.stdout).toMatch(/^invariant violations: 0$/m);
    expect(job.status).toBe(0);
  });

  it('called mount(2) MS_SET_GROUP, and the kernel accepted some of the calls', () => {
    const line = job.stdout.split('\n').find((text) => /^\s+mount --set-group\s/.test(text));
    expect(line, 'no set-group outcomes in the fuzz output').toBeDefined();
    expect(line).toMatch(/\bok [1-9]\d*/);
  });

  it('leaves the guest kernel without BUG, WARNING, oops or lockdep report', () => {
    expectCleanKernel(job);
  });
});
