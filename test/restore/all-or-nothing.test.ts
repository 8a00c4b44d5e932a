// All or nothing, on the kernel: a restore of a mid-sized topology (17 mounts: peer groups, slaves,
// stacked and covered mounts) is run with a failure injected at each call it makes, in turn, until
// a run makes them all; after every failed run, the namespace's mountinfo is byte for byte what it
// was before and no directory the restore made is left. Where --into and staging lie in a private
// mount, and on a shared-root host whose peer's copies show in the same mountinfo. A restore whose
// result differs from the topology is undone too.
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { privateNamespaceCommand } from '../../src/process/child.js';
import { scenarioOfSeed, scenarioText } from '../differential/generator.js';
import { kernelSuite, kernelUnavailable } from '../support/kernel.js';
import type { LayoutReport } from './children/all-or-nothing.js';

/** Differential seed 16: 17 mounts, 4 peer groups, 6 slaves, 79 plan steps. */
const midSized = scenarioText(scenarioOfSeed({ minOps: 20, maxOps: 40 }, 16));

interface Report {
  mounts: number;
  onPrivate: LayoutReport;
  onSharedRoot: LayoutReport;
  mismatch?: { name: string; message: string };
  mismatchLeft: { mountinfo: string[]; directories: string[] };
}

describe.skipIf(kernelUnavailable)(kernelSuite('a restore that fails at any call leaves the namespace as it was'), () => {
  let report: Report;
  beforeAll(() => {
    const [command, args] = privateNamespaceCommand(new URL('./children/all-or-nothing.ts', import.meta.url));
    const { MOUNT_SET_GROUP_NO_SYSCALLS: _banned, ...env } = process.env;
    const child = spawnSync(command, args, { input: midSized, encoding: 'utf8', env, timeout: 600_000, maxBuffer: 64 * 1024 * 1024 });
    if (child.status !== 0) throw new Error(child.stderr);
    report = JSON.parse(child.stdout) as Report;
  });

  it('the topology is mid-sized', () => {
    expect(report.mounts).toBe(17);
  });

  it.each(['onPrivate', 'onSharedRoot'] as const)('%s: a failure at each of its calls is undone to the byte', (where) => {
    const layout = report[where];
    expect(layout.held).toBe(where === 'onSharedRoot');
    expect(layout.steps).toBeGreaterThanOrEqual(79);
    expect(layout.calls).toBeGreaterThan(layout.steps);
    expect(layout.unclean).toEqual([]);
    expect(layout.clean).toBe(layout.calls);
  });

  it('a result that differs from the topology: RestoreMismatchError, and every step undone', () => {
    expect(report.mismatch).toMatchObject({ name: 'RestoreMismatchError' });
    expect(report.mismatchLeft).toEqual({ mountinfo: [], directories: [] });
  });
});
