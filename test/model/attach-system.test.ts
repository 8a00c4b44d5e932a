// attach and detach on a MountSystem (src/attach/system.ts): the same steps on the kernel (real
// holders and agents) and on the model, a rehearsal that must answer as the kernel does — each
// step's result and both namespaces' mountinfo after it.
import { beforeAll, describe, expect, it } from 'vitest';
import { assertInvariants } from '../../src/model/index.js';
import { MODEL_DIR, modelSystem } from '../differential/sides.js';
import { kernelSuite, kernelUnavailable, runChild } from '../support/kernel.js';
import { rehearseAttach, type RehearsalStep } from './support/attach-system.js';

describe('attach and detach rehearsed on the model', () => {
  it('the volume becomes a slave, receives from the host and sends nothing back; detached, it receives nothing', () => {
    const system = modelSystem();
    const steps = rehearseAttach(system, MODEL_DIR);
    assertInvariants(system);
    expect(steps.map((step) => step.result)).toEqual(['EINVAL', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok']);
    const container = (step: RehearsalStep) => step.mountinfo.split('# c\n')[1]!;
    const host = (step: RehearsalStep) => step.mountinfo.split('# c\n')[0]!;
    expect(container(steps[1]!)).toMatch(/ \/vol rw,relatime master:1 /);
    expect(container(steps[2]!)).toMatch(/ \/vol\/a /);
    expect(host(steps[3]!)).not.toMatch(/ \/vol\/b | \/src\/b /);
    expect(container(steps[4]!)).toMatch(/ \/vol rw,relatime - /);
    expect(container(steps[5]!)).not.toMatch(/ \/vol\/c /);
    expect(host(steps[7]!)).toMatch(/ \/src\/d /);
  });
});

describe.skipIf(kernelUnavailable)(kernelSuite('attach and detach on the kernel and the model'), () => {
  let kernel: RehearsalStep[];
  beforeAll(() => {
    kernel = runChild<RehearsalStep[]>(new URL('./children/attach-system.ts', import.meta.url));
  });

  it('the model answers every step as the kernel does', () => {
    const model = rehearseAttach(modelSystem(), MODEL_DIR);
    expect(model.map((step) => [step.label, step.result])).toEqual(kernel.map((step) => [step.label, step.result]));
    model.forEach((step, i) => expect(step.mountinfo, step.label).toBe(kernel[i]!.mountinfo));
  });
});
