// knownForms(): which forms of set-group the kernel knows, asked in-process in microseconds by calls
// that cannot find their source; checked against the full probe (which does set-group on throwaway
// mounts) and shown to change nothing. And what a process without CAP_SYS_ADMIN is told.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { nodeArguments } from '../../src/process/child.js';
import { probe } from '../../src/set-group/probe.js';
import { kernelSuite, kernelUnavailable, runChild } from '../support/kernel.js';

const child = new URL('./children/forms.ts', import.meta.url);
const { MOUNT_SET_GROUP_NO_SYSCALLS: _banned, ...childEnv } = process.env;

interface Report {
  forms: { mount: boolean | null; move_mount: boolean | null };
  unchanged: boolean;
  setGroup?: { code?: string; reason?: string };
  mount?: { code?: string; reason?: string };
}

describe.skipIf(kernelUnavailable)(kernelSuite('which forms of set-group the kernel knows, asked in-process'), () => {
  it('agrees with the full probe, form by form, and changes no mount', () => {
    const report = runChild<Report>(child);
    const full = probe();
    expect(full.probed).toBe(true);
    expect(report.forms).toEqual({ mount: full.mount, move_mount: full.moveMount });
    expect(report.unchanged).toBe(true);
  });

  it('cannot tell without CAP_SYS_ADMIN, where set-group and a mount say to run as root', () => {
    const run = spawnSync(
      'unshare',
      ['-m', '--propagation', 'private', 'setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all', '--', process.execPath, ...nodeArguments(child, [])],
      { encoding: 'utf8', env: { ...childEnv, HOME: '/tmp' } },
    );
    expect(run.stderr).toBe('');
    const report = JSON.parse(run.stdout) as Report;
    expect(report.forms).toEqual({ mount: null, move_mount: null });
    for (const refusal of [report.setGroup, report.mount]) {
      expect(refusal).toEqual({ code: 'EPERM', reason: 'this process lacks CAP_SYS_ADMIN, which every mount call needs: run it as root' });
    }
  });
});
