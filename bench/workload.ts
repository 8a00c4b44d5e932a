// Row 2: the same random operation workload — scenarios from the differential generator
// (test/differential/generator.ts) — on the model and on the kernel backend, in one child with a
// private mount namespace of its own that runs both sides, alternating (bench/children/workload.ts).
import { runPrivateSync } from '../src/process/child.js';
import type { WorkloadSamples } from './children/workload.js';
import { formatNs, median, type BenchRow } from './stats.js';

export function workload(scenarios = 200, seed = 1, rounds = 7): BenchRow[] {
  const child = runPrivateSync(new URL('./children/workload.ts', import.meta.url), [String(scenarios), String(seed), String(rounds)], { timeout: 600_000 });
  if (child.status !== 0) throw new Error(`workload bench failed: ${child.stderr}`);
  const samples = JSON.parse(child.stdout) as WorkloadSamples;
  const [kernel, model] = [median(samples.kernelMs), median(samples.modelMs)];
  const perLine = (ms: number) => formatNs((ms * 1e6) / samples.lines);
  const { failedLines } = samples;
  return [
    {
      name: 'random workload (differential generator): model / kernel',
      value: model / kernel,
      unit: 'ratio',
      goal: { op: '<=', value: 0.5 },
      detail: `${samples.scenarios} scenarios, ${samples.lines} lines (seed ${seed}): model ${perLine(model)} per line, kernel ${perLine(kernel)}; refused lines: kernel ${failedLines.kernel}, model ${failedLines.model}`,
    },
  ];
}
