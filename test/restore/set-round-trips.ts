// npm run round-trips:sets [-- COUNT [FIRST_SEED]]: COUNT random sets of namespaces from the
// differential generator (default 500, seeds from FIRST_SEED, default 1), each built on the kernel
// in a private namespace, dumped as a set, and restored on the kernel (each namespace in a new one)
// and on a model; prints what the sets held and every round trip that was not exact.
import { runPrivateSync } from '../../src/process/child.js';
import { randomSetScenarios, type SetShape } from './support/sets.js';

type Outcome = { ok: boolean; error?: string; mountCalls?: number; ms?: number };
type Result = { failures: string[]; shape: SetShape; kernel: Outcome; model: Outcome };

const BATCH = 50;
const count = Number(process.argv[2] ?? 500);
const first = Number(process.argv[3] ?? 1);
const results: [string, Result][] = [];
for (let start = first; start < first + count; start += BATCH) {
  const scenarios = randomSetScenarios(Math.min(BATCH, first + count - start), start);
  const child = runPrivateSync(new URL('./children/sets.ts', import.meta.url), [], { input: JSON.stringify(scenarios), timeout: 1_800_000 });
  if (child.status !== 0) throw new Error(`sets child failed (${child.status ?? child.signal}): ${child.stderr}`);
  results.push(...Object.entries(JSON.parse(child.stdout) as Record<string, Result>));
  process.stderr.write(`${results.length}/${count}\n`);
}

const all = results.map(([, result]) => result);
const sets = (test: (result: Result) => boolean) => all.filter(test).length;
const kernelMs = all.flatMap((result) => (result.kernel.ms === undefined ? [] : [result.kernel.ms]));
const largest = all.reduce((best, result) => (result.shape.mounts > best.shape.mounts ? result : best), all[0]!);
process.stdout.write(`${JSON.stringify({
  sets: all.length,
  exactOnKernel: sets((result) => result.kernel.ok),
  exactOnModel: sets((result) => result.model.ok),
  withSeveralNamespaces: sets((result) => result.shape.namespaces > 1),
  withUserNamespaces: sets((result) => result.shape.users > 0),
  withGroupsAcross: sets((result) => result.shape.crossGroups > 0),
  withSlavesAcross: sets((result) => result.shape.crossSlaves > 0),
  mounts: all.reduce((sum, result) => sum + result.shape.mounts, 0),
  largest: { ...largest.shape, kernelMs: largest.kernel.ms, mountCalls: largest.kernel.mountCalls },
  kernelMsMedian: kernelMs.sort((a, b) => a - b)[Math.floor(kernelMs.length / 2)],
}, null, 2)}\n`);
for (const [name, result] of results) {
  if (!result.kernel.ok) process.stdout.write(`kernel: ${name}: ${result.kernel.error}\n`);
  if (!result.model.ok) process.stdout.write(`model: ${name}: ${result.model.error}\n`);
}
process.exitCode = all.every((result) => result.kernel.ok && result.model.ok) ? 0 : 1;
