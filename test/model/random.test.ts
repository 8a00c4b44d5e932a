// Random mixes of every operation (test/model/support/random-scenarios.ts), each run on the kernel
// and on the model: the same lines must fail with the same errno and the namespaces must end the
// same. The kernel traces its mountinfo after every line, so a disagreement is reported at the
// first line where the two part.
import { beforeAll, describe, expect, it } from 'vitest';
import { runOnKernel, type WorkerResponse } from '../../src/kernel/worker-client.js';
import { diffMountinfo } from '../../src/mountinfo/index.js';
import { kernelSuite, kernelUnavailable } from '../support/kernel.js';
import { kernelOutcome, runOnModel, type Outcome } from './support/differential.js';
import { randomPropagationScenario, randomScenario } from './support/random-scenarios.js';

const perBatch = 100;
const firstSeed = Number(process.env.MODEL_RANDOM_SEED ?? 1);
/** Batches of scenarios: every operation on a few paths, and propagation trees of binds of binds. */
const profiles = [
  { name: 'random mixes of every operation', make: randomScenario, steps: 40, batches: 4 },
  { name: 'random propagation trees', make: randomPropagationScenario, steps: 60, batches: 2 },
];

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
  const batches = profiles.flatMap((profile) =>
    Array.from({ length: profile.batches }, (_, b) => {
      const seeds = Array.from({ length: perBatch }, (_, i) => firstSeed + b * perBatch + i);
      return { profile, seeds, scripts: seeds.map((seed) => profile.make(seed, { steps: profile.steps })) };
    }),
  );
  const responses: WorkerResponse[][] = [];

  beforeAll(() => {
    for (const batch of batches) responses.push(runOnKernel(batch.scripts.map((script) => ({ script, trace: true })), { timeout: 600_000 }));
  }, 600_000);

  batches.forEach(({ profile, seeds, scripts }, b) => {
    it(`do ${perBatch} ${profile.name}, ${profile.steps} operations each (seeds ${seeds[0]}..${seeds.at(-1)}), end the same on the kernel and the model?`, () => {
      scripts.forEach((script, i) => {
        const response = responses[b]![i]!;
        const kernel = kernelOutcome(response);
        const model = runOnModel(script).outcome;
        if (describeDifference(kernel, model) === undefined) return;
        const where = firstDivergence(script, response) ?? describeDifference(kernel, model);
        expect.fail(`${profile.name}: seed ${seeds[i]} (MODEL_RANDOM_SEED=${seeds[i]} reruns it first) diverges ${where}\n--- scenario\n${script}`);
      });
    });
  });

  it('do the random scenarios exercise every operation, succeeding and failing?', () => {
    const outcomes = new Map<string, { ok: number; failed: number }>();
    batches.forEach(({ scripts }, b) =>
      scripts.forEach((script, i) => {
        const failed = new Set(responses[b]![i]!.failures.map((f) => f.line));
        script.split('\n').forEach((line, index) => {
          const op = line.replace(/ -t \S+ \S+/, ' -t').split(' ').slice(0, 2).join(' ');
          const counts = outcomes.get(op) ?? { ok: 0, failed: 0 };
          counts[failed.has(index + 1) ? 'failed' : 'ok']++;
          outcomes.set(op, counts);
        });
      }),
    );
    for (const op of ['mount -t', 'mount --bind', 'mount --rbind', 'mount --move', 'umount -l', 'mount --make-shared', 'mount --make-slave', 'mount --set-group']) {
      expect(outcomes.get(op)?.ok, `${op} succeeded somewhere`).toBeGreaterThan(10);
      expect(outcomes.get(op)?.failed, `${op} failed somewhere`).toBeGreaterThan(10);
    }
  });
});
