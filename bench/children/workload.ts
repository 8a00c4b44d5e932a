// Bench child (runs under unshare -m --propagation private): the same random scenarios from the
// differential generator (test/differential/generator.ts, the fixed-seed batch's options) on the
// kernel backend and on the model, in this one process, in alternating rounds. Each side runs every
// scenario on a fresh place laid out as the differential runner lays it out — the kernel a new tmpfs
// on a directory of the scratch tmpfs, the model a new namespace with the same layout (sides.ts) —
// and only runScenario() is timed. Prints per round the milliseconds of each side, and the lines.
//
//   workload.ts SCENARIOS SEED ROUNDS
import { mkdirSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { KernelNamespace } from '../../src/kernel/namespace.js';
import { withScratch } from '../../src/process/scratch.js';
import * as sys from '../../src/native/syscalls.js';
import { parseScenario, runScenario, type Line } from '../../src/scenario/index.js';
import { scenarioArbitrary, scenarioText, type GeneratorOptions } from '../../test/differential/generator.js';
import { MODEL_DIR, modelNamespace, runningKernelVersion } from '../../test/differential/sides.js';

export interface WorkloadSamples {
  scenarios: number;
  lines: number;
  failedLines: { kernel: number; model: number };
  kernelMs: number[];
  modelMs: number[];
}

const [countArg, seedArg, roundsArg] = process.argv.slice(2) as [string, string, string];
const generator: GeneratorOptions = { minOps: 20, maxOps: 60, model: { kernel: runningKernelVersion } };

/** Milliseconds of runScenario() over every scenario on fresh kernel places; the lines that failed. */
function kernelSide(scratch: string, scenarios: Line[][]): { ms: number; failed: number } {
  let ms = 0;
  let failed = 0;
  scenarios.forEach((lines, i) => {
    const dir = join(scratch, String(i));
    mkdirSync(dir);
    sys.mount('scenario', dir, 'tmpfs', 0, null);
    try {
      const ns = new KernelNamespace();
      const start = performance.now();
      failed += runScenario(ns, lines, { cwd: dir, confineTo: dir }).failures.length;
      ms += performance.now() - start;
    } finally {
      sys.umount2(dir, sys.addon().constants.MNT_DETACH);
      rmdirSync(dir);
    }
  });
  return { ms, failed };
}

/** The same on fresh models. */
function modelSide(scenarios: Line[][]): { ms: number; failed: number } {
  let ms = 0;
  let failed = 0;
  for (const lines of scenarios) {
    const ns = modelNamespace(generator.model);
    const start = performance.now();
    failed += runScenario(ns, lines, { cwd: MODEL_DIR, confineTo: MODEL_DIR }).failures.length;
    ms += performance.now() - start;
  }
  return { ms, failed };
}

const scenarios = fc
  .sample(scenarioArbitrary(generator), { seed: Number(seedArg), numRuns: Number(countArg) })
  .map((scenario) => parseScenario(scenarioText(scenario)));

const samples = await withScratch((scratch): WorkloadSamples => {
  const result: WorkloadSamples = { scenarios: scenarios.length, lines: scenarios.flat().length, failedLines: { kernel: 0, model: 0 }, kernelMs: [], modelMs: [] };
  // Round -1 warms both sides up (JIT, the set-group probe); the rounds after alternate which goes first.
  for (let round = -1; round < Number(roundsArg); round++) {
    const modelFirst = round % 2 !== 0 ? modelSide(scenarios) : undefined;
    const kernel = kernelSide(scratch, scenarios);
    const model = modelFirst ?? modelSide(scenarios);
    if (round < 0) continue;
    result.kernelMs.push(kernel.ms);
    result.modelMs.push(model.ms);
    result.failedLines = { kernel: kernel.failed, model: model.failed };
  }
  return result;
});

process.stdout.write(JSON.stringify(samples));
