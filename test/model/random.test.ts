// Random mixes of every operation (test/model/support/random-scenarios.ts), each run on the kernel
// and on the model: the same lines must fail with the same errno and the namespaces must end the
// same. The kernel traces its mountinfo after every line, so a disagreement is reported at the
// first line where the two part.
import { beforeAll, describe, expect, it } from 'vitest';
import { runOnKernel, type WorkerResponse } from '../../src/kernel/worker-client.js';
import { diffMountinfo } from '../../src/mountinfo/index.js';
import { kernelSuite, kernelUnavailable } from '../support/kernel.js';
import { kernelOutcome, runOnModel, type Outcome } from './support/differential.js';
import { randomScenario } from './support/random-scenarios.js';

const batches = 4;
const perBatch = 100;
const steps = 40;
const firstSeed = Number(process.env.MODEL_RANDOM_SEED ?? 1);

/** The first line after which the model and the kernel differ, with both sides, or undefined. */
function firstDivergence(script: string, response: WorkerResponse): string | undefined {
  const lines = script.split('\n');
  for (const step of response.trace!) {
    const prefix = lines.slice(0, step.line).join('\n');
    const kernel = kernelOutcome({ ...response, failures: response.failures.filter((f) => f.line <= step.line), mountinfo: step.mountinfo });
    const model = runOnModel(prefix, { checkEveryLine: false }).outcome;
    const difference = describeDifference(kernel, model);
    if (difference !== undefined) return `after line ${step.line} (${lines[step.line - 1]}):\n${difference}`;
  }
  return undefined;
}

function describeDifference(kernel: Outcome, model: Outcome): string | undefined {
  if (JSON.stringify(kernel.failures) !== JSON.stringify(model.failures)) {
    return `failures differ: kernel ${JSON.stringify(kernel.failures)}, model ${JSON.stringify(model.failures)}`;
  }
  return diffMountinfo(kernel.mountinfo, model.mountinfo);
}

describe.skipIf(kernelUnavailable)(kernelSuite('random scenarios on the kernel and the model'), () => {
  const seeds = Array.from({ length: batches * perBatch }, (_, i) => firstSeed + i);
  const scripts = seeds.map((seed) => randomScenario(seed, { steps }));
  const responses: WorkerResponse[] = [];

  beforeAll(() => {
    for (let i = 0; i < scripts.length; i += perBatch) {
      responses.push(...runOnKernel(scripts.slice(i, i + perBatch).map((script) => ({ script, trace: true })), { timeout: 600_000 }));
    }
  }, 600_000);

  for (let batch = 0; batch < batches; batch++) {
    const range = `${firstSeed + batch * perBatch}..${firstSeed + (batch + 1) * perBatch - 1}`;
    it(`do ${perBatch} random mixes of ${steps} operations (seeds ${range}) end the same on the kernel and the model?`, () => {
      for (let i = batch * perBatch; i < (batch + 1) * perBatch; i++) {
        const kernel = kernelOutcome(responses[i]!);
        const model = runOnModel(scripts[i]!).outcome;
        if (describeDifference(kernel, model) === undefined) continue;
        const where = firstDivergence(scripts[i]!, responses[i]!) ?? describeDifference(kernel, model);
        expect.fail(`seed ${seeds[i]} (MODEL_RANDOM_SEED=${seeds[i]} reruns it first) diverges ${where}\n--- scenario\n${scripts[i]}`);
      }
    });
  }

  it('do the random scenarios exercise every operation, succeeding and failing?', () => {
    const outcomes = new Map<string, { ok: number; failed: number }>();
    scripts.forEach((script, i) => {
      const failed = new Set(responses[i]!.failures.map((f) => f.line));
      script.split('\n').forEach((line, index) => {
        const op = line.replace(/ -t \S+ \S+/, ' -t').split(' ').slice(0, 2).join(' ');
        const counts = outcomes.get(op) ?? { ok: 0, failed: 0 };
        counts[failed.has(index + 1) ? 'failed' : 'ok']++;
        outcomes.set(op, counts);
      });
    });
    for (const op of ['mount -t', 'mount --bind', 'mount --rbind', 'mount --move', 'umount -l', 'mount --make-shared', 'mount --make-slave', 'mount --set-group']) {
      expect(outcomes.get(op)?.ok, `${op} succeeded somewhere`).toBeGreaterThan(10);
      expect(outcomes.get(op)?.failed, `${op} failed somewhere`).toBeGreaterThan(10);
    }
  });
});
