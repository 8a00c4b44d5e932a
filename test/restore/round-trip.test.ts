// Dump and restore round trips: each topology is built on the kernel (in a private namespace),
// dumped, and restored elsewhere on the kernel and on the model; the restore itself dumps its
// result and fails on any difference, so `ok` means an exact round trip.
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { privateNamespaceCommand } from '../../src/kernel/child.js';
import { kernelSuite, kernelUnavailable } from '../support/kernel.js';
import { restoreScenarios } from './scenarios.js';

type Outcome = { ok: boolean; error?: string; mounts?: number; mountCalls?: number };
type Result = { failures: string[]; kernel: Outcome; model: Outcome; modelToModel: Outcome };

describe.skipIf(kernelUnavailable)(kernelSuite('restore round trips'), () => {
  let results: Record<string, Result>;

  beforeAll(() => {
    const [command, args] = privateNamespaceCommand(new URL('./children/round-trip.ts', import.meta.url));
    const { MOUNT_SET_GROUP_NO_SYSCALLS: _banned, ...env } = process.env;
    const child = spawnSync(command, args, { input: JSON.stringify(restoreScenarios), encoding: 'utf8', env });
    if (child.status !== 0) throw new Error(child.stderr);
    results = JSON.parse(child.stdout) as Record<string, Result>;
  });

  it.each(Object.keys(restoreScenarios))('%s: built without a failing line', (name) => {
    expect(results[name]!.failures).toEqual([]);
  });

  it.each(Object.keys(restoreScenarios))('%s: restored exactly on the kernel', (name) => {
    const outcome = results[name]!.kernel;
    expect(outcome.error).toBeUndefined();
    expect(outcome.ok).toBe(true);
  });

  it.each(Object.keys(restoreScenarios))('%s: the kernel dump restored exactly on the model', (name) => {
    expect(results[name]!.model.error).toBeUndefined();
  });

  it.each(Object.keys(restoreScenarios))('%s: a model dump restored exactly on the model', (name) => {
    expect(results[name]!.modelToModel.error).toBeUndefined();
  });
});
