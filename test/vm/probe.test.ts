// probe() tells the patched kernel from a stock one by trying both forms, never by the version:
// in the guest it finds mount(2) MS_SET_GROUP and prefers it; on the host (a stock kernel) it finds
// only move_mount. The CLI's `probe --json` says the same in both places.
import { spawnSync } from 'node:child_process';
import { release } from 'node:os';
import { describe, expect, it } from 'vitest';
import { privateNamespaceUnavailable } from '../../src/process/child.js';
import { probe, type ProbeResult } from '../../src/set-group/probe.js';
import { expectCleanKernel, expectCompleted, tsxCommand, PROJECT_ROOT, runGuestJob } from './guest-job.js';
import { kernelOrSkip } from './helpers.js';

const kernel = kernelOrSkip('probe in the VM');
const cannotProbeOnHost = privateNamespaceUnavailable();
const BOOT_BUDGET_MS = 300_000;

interface ProbeReport {
  probe: ProbeResult;
  cli: { status: number | null; stdout: string; stderr: string };
}

/** The CLI's JSON answer, after checking that it exited 0. */
function cliAnswer(cli: ProbeReport['cli']): ProbeResult {
  expect(cli.status, cli.stderr).toBe(0);
  return JSON.parse(cli.stdout) as ProbeResult;
}

describe.skipIf(!kernel)('probe inside the patched kernel', () => {
  it('finds mount(2) MS_SET_GROUP and move_mount, and prefers mount(2); so does `probe --json`', async () => {
    const job = await runGuestJob<ProbeReport>({ kernel: kernel!, command: tsxCommand(new URL('./guest/probe.ts', import.meta.url)), timeout: BOOT_BUDGET_MS });
    const report = expectCompleted(job);
    const expected = { release: expect.stringMatching(/^6\.12\.\d+-mount-set-group$/), probed: true, mount: true, moveMount: true, errors: {}, preferred: 'mount' };
    expect(report.probe).toEqual(expected);
    expect(cliAnswer(report.cli)).toEqual(report.probe);
    expectCleanKernel(job);
    console.log(`probe in the VM: ${JSON.stringify(report.probe)}`);
  }, BOOT_BUDGET_MS + 30_000);
});

describe.skipIf(cannotProbeOnHost)(`probe on the host kernel${cannotProbeOnHost ? ` [skipped: ${cannotProbeOnHost}]` : ''}`, () => {
  const stock = { release: release(), probed: true, mount: false, moveMount: true, errors: { mount: 'EINVAL' }, preferred: 'move_mount' };

  it('finds only move_mount: mount(2) with MS_SET_GROUP and no fs type is EINVAL on a stock kernel', () => {
    expect(probe()).toEqual(stock);
    console.log(`probe on the host: ${JSON.stringify(probe())}`);
  });

  it('`probe --json` says the same', () => {
    const [node, ...args] = tsxCommand(new URL('../../src/cli/main.ts', import.meta.url), ['probe', '--json']) as [string, ...string[]];
    const cli = spawnSync(node, args, { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(cliAnswer(cli)).toEqual(stock);
  });
});
