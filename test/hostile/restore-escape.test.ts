// Restores on the kernel whose paths would leave --into or the staging directory through symbolic
// links: refused before the first syscall when the link is where the restore would go
// (RestoreRefusedError, or ELOOP for a place reached through a link), refused at the step when a
// bind brings one in (RestoreStepError, ELOOP, every step before it undone), harmless when the
// restored root covers it — never followed. Run in a private child on a scratch tmpfs, which is
// the only place anything could land; the directory the links point at must stay empty. A clean
// restore makes exactly the mount operations its --dry-run prints.
import { beforeAll, describe, expect, it } from 'vitest';
import { kernelSuite, kernelUnavailable, runChild } from '../support/kernel.js';
import { restoreScenarios } from '../restore/scenarios.js';
import type { Attempt } from './children/restore-escape.js';
import type { CliRun } from './support/cli.js';
import { mountOperations } from './support/recording.js';

interface Report {
  attempts: Record<'linkInsideInto' | 'relativeLinkDeeper' | 'linkUnderTheRestoredRoot' | 'intoIsALink' | 'stagingThroughALink' | 'linkBroughtInByAnExternalBind', Attempt>;
  cli: Record<'dryRun' | 'kernel' | 'kernelJson', CliRun>;
  afterCli: { landed: string[]; mountedThere: string[] };
  clean: { failures: number; dryRun: CliRun; applied: string[]; cliRestore: CliRun };
  outsideBefore: string[];
  outsideAfter: string[];
}

describe.skipIf(kernelUnavailable)(kernelSuite('restore refuses paths that leave --into'), () => {
  let report: Report;
  beforeAll(() => {
    report = runChild<Report>(new URL('./children/restore-escape.ts', import.meta.url), [restoreScenarios.overmountOfSharedMount!]);
  });

  it.each([
    ['linkInsideInto', 'RestoreRefusedError', 'ERR_RESTORE_REFUSED', /into' already holds 'a' \(a symbolic link to '.*\/outside'\), where the mount at '\/a' goes/],
    ['relativeLinkDeeper', 'RestoreRefusedError', 'ERR_RESTORE_REFUSED', /into' already holds 'x' \(a symbolic link to '..\/..\/outside'\)/],
    ['intoIsALink', 'MountError', 'ELOOP', /restore '.*\/into'/],
    ['stagingThroughALink', 'MountError', 'ELOOP', /staging-link\/staging'/],
  ] as const)('a link there beforehand (%s): %s %s before the first syscall', (name, errorName, code, message) => {
    const attempt = report.attempts[name];
    expect(attempt.error).toMatchObject({ name: errorName, code, message: expect.stringMatching(message) });
    expect(attempt.stagingMade).toBe(false);
    expect(attempt.landed).toEqual([]);
    expect(attempt.mountedThere).toEqual([]);
    expect(attempt.leftMounted).toEqual([]);
  });

  it('a link under the restored root: covered by it and never looked at; the restore succeeds and nothing lands where it points', () => {
    const attempt = report.attempts.linkUnderTheRestoredRoot;
    expect(attempt.error).toBeUndefined();
    expect(attempt.leftMounted).toHaveLength(2);
    expect(attempt.landed).toEqual([]);
    expect(attempt.mountedThere).toEqual([]);
  });

  it('a link brought in by an external bind: refused at its step with ELOOP naming it, every step before it undone', () => {
    const attempt = report.attempts.linkBroughtInByAnExternalBind;
    expect(attempt.error).toMatchObject({ name: 'RestoreStepError', code: 'ERR_RESTORE_STEP', cause: 'ELOOP' });
    expect(attempt.error!.message).toMatch(/mount --bind .*\/sb2 .*\/into\/s: ELOOP: .*'.*\/into\/s' is a symbolic link \(to '..\/outside'\).*; everything it made was undone$/);
    expect(attempt.landed).toEqual([]);
    expect(attempt.mountedThere).toEqual([]);
    expect(attempt.leftMounted).toEqual([]);
    expect(attempt.stagingMade).toBe(false);
  });

  it('the CLI: --dry-run names the refusal and exits 1; the kernel backend refuses in one line, or in JSON', () => {
    const { dryRun, kernel, kernelJson } = report.cli;
    expect(dryRun.status).toBe(1);
    expect(dryRun.stderr).toMatch(/^cannot restore: --into '.*into' already holds 'a' \(a symbolic link to '.*outside'\)[^\n]*\n$/);
    expect(kernel.status).toBe(1);
    expect(kernel.stderr).toMatch(/^mount-set-group: cannot restore this topology exactly: --into [^\n]*already holds 'a'[^\n]*\n$/);
    expect(JSON.parse(kernelJson.stderr)).toMatchObject({ error: { name: 'RestoreRefusedError', code: 'ERR_RESTORE_REFUSED', problems: [expect.stringMatching(/symbolic link/)] } });
    expect(report.afterCli).toEqual({ landed: [], mountedThere: [] });
  });

  it('a clean restore on the kernel makes exactly the mount operations --dry-run printed', () => {
    const { failures, dryRun, applied, cliRestore } = report.clean;
    expect(failures).toBe(0);
    expect(dryRun).toMatchObject({ status: 0, stderr: '' });
    const printed = dryRun.stdout.trim().split('\n').slice(1);
    expect(printed.some((line) => line.startsWith('pin @'))).toBe(true);
    expect(printed.filter((line) => line.startsWith('# '))).toEqual([
      expect.stringMatching(/^# --into .*\/into lies in the mount at .*, which is private: the restore builds there$/),
      expect.stringMatching(/^# the staging directory .* is private: the staging tmpfs is made private before anything is put in it$/),
      expect.stringMatching(/^# a step that fails undoes every step before it/),
    ]);
    expect(applied).toEqual(mountOperations(printed));
    expect(cliRestore).toMatchObject({ status: 0, stderr: '' });
    expect(JSON.parse(cliRestore.stdout)).toMatchObject({ mounts: 7, backend: 'kernel' });
  });

  it('no mount outside the scratch directory changed', () => {
    expect(report.outsideAfter).toEqual(report.outsideBefore);
  });
});
