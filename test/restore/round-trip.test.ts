// Dump and restore round trips: each topology is built on the kernel (in a private namespace),
// dumped, and restored elsewhere on the kernel and on the model; the restore itself dumps its
// result and fails on any difference, so `ok` means an exact round trip.
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { privateNamespaceCommand } from '../../src/process/child.js';
import { kernelSuite, kernelUnavailable } from '../support/kernel.js';
import { scenarioOfSeed, scenarioText } from '../differential/generator.js';
import { kernelFilesystemScenarios, restoreScenarios } from './scenarios.js';

/** Random topologies from the differential generator: 40 scenarios of 20 to 40 operations, fixed seeds. */
const randomScenarios = Object.fromEntries(
  Array.from({ length: 40 }, (_, i) => [`random seed ${i + 1}`, scenarioText(scenarioOfSeed({ minOps: 20, maxOps: 40 }, i + 1))]),
);
const builtScenarios = { ...restoreScenarios, ...kernelFilesystemScenarios };
const scenarios = { ...builtScenarios, ...randomScenarios };

type Outcome = { ok: boolean; error?: string; mounts?: number; mountCalls?: number };
type Shape = { mounts: number; groups: number; slaves: number; stacked: number };
type Result = { failures: string[]; shape: Shape; kernel: Outcome; model: Outcome; modelToModel: Outcome };

describe.skipIf(kernelUnavailable)(kernelSuite('restore round trips'), () => {
  let results: Record<string, Result>;

  beforeAll(() => {
    const [command, args] = privateNamespaceCommand(new URL('./children/round-trip.ts', import.meta.url));
    const { MOUNT_SET_GROUP_NO_SYSCALLS: _banned, ...env } = process.env;
    const child = spawnSync(command, args, { input: JSON.stringify(scenarios), encoding: 'utf8', env });
    if (child.status !== 0) throw new Error(child.stderr);
    results = JSON.parse(child.stdout) as Record<string, Result>;
  });

  it.each(Object.keys(builtScenarios))('%s: built without a failing line', (name) => {
    expect(results[name]!.failures).toEqual([]);
  });

  it('the random topologies are not trivial: they hold groups, slaves and stacks', () => {
    const shapes = Object.keys(randomScenarios).map((name) => results[name]!.shape);
    const total = (key: keyof Shape) => shapes.reduce((sum, shape) => sum + shape[key], 0);
    expect(Math.max(...shapes.map((shape) => shape.mounts))).toBeGreaterThanOrEqual(8);
    expect(shapes.filter((shape) => shape.groups > 0 && shape.slaves > 0).length).toBeGreaterThanOrEqual(10);
    expect(total('stacked')).toBeGreaterThanOrEqual(5);
  });

  it.each(Object.keys(scenarios))('%s: restored exactly on the kernel', (name) => {
    const outcome = results[name]!.kernel;
    expect(outcome.error).toBeUndefined();
    expect(outcome.ok).toBe(true);
  });

  it.each(Object.keys(scenarios))('%s: the kernel dump restored exactly on the model', (name) => {
    expect(results[name]!.model.error).toBeUndefined();
  });

  it.each(Object.keys(scenarios))('%s: a model dump restored exactly on the model', (name) => {
    expect(results[name]!.modelToModel.error).toBeUndefined();
  });
});

describe.skipIf(kernelUnavailable)(kernelSuite('restore round trips with few fds to spare'), () => {
  // Under `prlimit --nofile=560`, a restore keeps a handle on only a few dozen of the mounts it
  // makes: the later steps on the others resolve their paths again. The two largest topologies.
  const large = { 'random seed 26': randomScenarios['random seed 26']!, 'random seed 38': randomScenarios['random seed 38']! };
  let results: Record<string, Result>;

  beforeAll(() => {
    const [command, args] = privateNamespaceCommand(new URL('./children/round-trip.ts', import.meta.url));
    const { MOUNT_SET_GROUP_NO_SYSCALLS: _banned, ...env } = process.env;
    const child = spawnSync('prlimit', ['--nofile=560:560', '--', command, ...args], { input: JSON.stringify(large), encoding: 'utf8', env });
    if (child.status !== 0) throw new Error(child.stderr);
    results = JSON.parse(child.stdout) as Record<string, Result>;
  });

  it.each(Object.keys(large))('%s: restored exactly on the kernel', (name) => {
    expect(results[name]!.shape.mounts).toBeGreaterThan(80);
    expect(results[name]!.kernel).toMatchObject({ ok: true });
  });
});
