// npm run fuzz -- --runs N --seed S: random scenarios (generator.ts) on the kernel and the model
// (runner.ts), compared after every line. Prints each divergence and invariant violation with its
// minimal scenario, then the counts (namespace operations and the lines that crossed namespaces
// among them) and both sides' speed, ending with the line `fuzz: R runs, O ops, D divergences`.
// Exit status 0 when nothing was found, 1 otherwise.
//
// Options (all optional):
//   --runs N                  scenarios to run (default 1000)
//   --seed S                  base seed (default 1); run i uses the run seed printed with its findings
//   --run-seed X              run only the scenario of run seed X (to replay a finding)
//   --min-ops N, --max-ops N  operations per scenario (default 20..60)
//   --names a,b,c             directory names (default a,b,c); --depth N: deepest directory (default 3)
//   --namespaces P            percent of scenarios that start, enter, end and cross namespaces (default 30)
//   --kernel-version V        the model's kernel behaviour, 6.12 or 6.18 (default: the running kernel's)
//   --set-group-method M      auto, mount or move_mount: the kernel side's set-group (default auto)
//   --shrink N                shrink at most N findings to a minimal scenario (default 10)
//   --no-timing               skip the untraced kernel run that measures the kernel's speed
//   --print                   print each scenario before running it
import { release } from 'node:os';
import { parseArgs } from 'node:util';
import type { KernelVersion } from '../../src/model/index.js';
import type { SetGroupMethod } from '../../src/set-group/set-group.js';
import { operationKind, scenarioArbitrary, scenarioOfSeed, type GeneratorOptions, type Scenario } from './generator.js';
import { describeFinding, DifferentialRunner, findingsOf, shrinkScenario, type Finding } from './runner.js';
import { runningKernelVersion } from './sides.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '1000' },
    seed: { type: 'string', default: '1' },
    'run-seed': { type: 'string' },
    'min-ops': { type: 'string', default: '20' },
    'max-ops': { type: 'string', default: '60' },
    names: { type: 'string', default: 'a,b,c' },
    depth: { type: 'string', default: '3' },
    namespaces: { type: 'string', default: '30' },
    'kernel-version': { type: 'string' },
    'set-group-method': { type: 'string', default: 'auto' },
    shrink: { type: 'string', default: '10' },
    'no-timing': { type: 'boolean', default: false },
    print: { type: 'boolean', default: false },
  },
  strict: true,
});

/** A whole-number option, or exit 2 naming it. */
function integer(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) usage(`--${name} must be an integer, not '${text}'`);
  return n;
}

function usage(message: string): never {
  process.stderr.write(`fuzz: ${message}\n`);
  process.exit(2);
}

function kernelVersionOption(text: string | undefined): KernelVersion {
  if (text === undefined) return runningKernelVersion;
  if (text !== '6.12' && text !== '6.18') usage(`--kernel-version must be 6.12 or 6.18, not '${text}'`);
  return text;
}

function setGroupMethodOption(text: string): SetGroupMethod {
  if (text !== 'auto' && text !== 'mount' && text !== 'move_mount') usage(`--set-group-method must be auto, mount or move_mount, not '${text}'`);
  return text;
}

/** The seed of run `index` of base seed `seed`: far apart for different base seeds. */
const runSeed = (seed: number, index: number): number => (Math.imul(seed, 0x9e3779b1) + index) | 0;

const runs = integer('runs', values.runs);
const seed = integer('seed', values.seed);
const kernelVersion = kernelVersionOption(values['kernel-version']);
const generator: GeneratorOptions = {
  minOps: integer('min-ops', values['min-ops']),
  maxOps: integer('max-ops', values['max-ops']),
  model: { kernel: kernelVersion },
  names: values.names.split(','),
  maxDepth: integer('depth', values.depth),
  namespaces: integer('namespaces', values.namespaces),
};
if (generator.minOps < 1 || generator.maxOps < generator.minOps) usage('need 1 <= --min-ops <= --max-ops');
if (generator.names!.some((name) => !/^[a-z]$/.test(name)) || generator.maxDepth! < 1) usage('--names takes single letters, --depth at least 1');
const shrinkLimit = integer('shrink', values.shrink);
const arbitrary = scenarioArbitrary(generator);
const runner = new DifferentialRunner({ model: generator.model, setGroupMethod: setGroupMethodOption(values['set-group-method']) });

const totals = {
  runs: 0,
  skipped: 0,
  ops: 0,
  divergences: 0,
  violations: 0,
  modelMs: 0,
  kernelMs: 0,
  shrunk: 0,
  /** Runs that started a namespace. */
  namespaceRuns: 0,
  /** unshare, nsenter, exit and kill lines. */
  namespaceOps: 0,
  /** Lines that named a path in another namespace (/proc/NAME/...). */
  crossingOps: 0,
  /** Lines run inside another namespace (after an nsenter the kernel accepted). */
  insideOps: 0,
};

const namespaceCommand = /^(unshare|nsenter|exit|kill)\b/;

/** Adds up what a run did with namespaces: its namespace lines, the lines naming another namespace's paths, and those run inside one. */
function countNamespaces(scenario: Scenario, codes: readonly (string | undefined)[]): void {
  let depth = 0;
  if (scenario.some((line) => line.startsWith('unshare'))) totals.namespaceRuns++;
  scenario.forEach((line, i) => {
    if (namespaceCommand.test(line)) totals.namespaceOps++;
    else if (depth > 0) totals.insideOps++;
    if (line.includes('/proc/')) totals.crossingOps++;
    if (codes[i] !== undefined) return;
    if (line.startsWith('nsenter')) depth++;
    else if (line === 'exit') depth--;
  });
}

/** Per kind of operation, how often each outcome ('ok' or an errno) came up on the kernel. */
const outcomes = new Map<string, Map<string, number>>();

function countOutcomes(scenario: Scenario, codes: readonly (string | undefined)[]): void {
  codes.forEach((code, i) => {
    const kind = operationKind(scenario[i]!);
    const counts = outcomes.get(kind) ?? new Map<string, number>();
    counts.set(code ?? 'ok', (counts.get(code ?? 'ok') ?? 0) + 1);
    outcomes.set(kind, counts);
  });
}

function print(text: string): void {
  process.stdout.write(`${text}\n`);
}

/** Prints a finding with the smallest scenario that still shows one of its kind. */
async function report(found: Finding, scenario: Scenario, seedOfRun: number): Promise<void> {
  let minimal = scenario;
  let shown = found;
  if (totals.shrunk < shrinkLimit) {
    totals.shrunk++;
    minimal = await shrinkScenario(arbitrary, scenario, async (candidate) => findingsOf(await runner.check(candidate)).some((f) => f.kind === found.kind));
    shown = findingsOf(await runner.check(minimal)).find((f) => f.kind === found.kind) ?? found;
  }
  const shrunk = minimal === scenario ? 'not shrunk' : `shrunk from ${scenario.length} lines`;
  print(`\n${describeFinding(minimal, shown, `run seed ${seedOfRun}, replay with --run-seed ${seedOfRun}; ${shrunk}`)}`);
}

async function runOne(seedOfRun: number): Promise<void> {
  const scenario = scenarioOfSeed(generator, seedOfRun);
  if (values.print) print(`--- run seed ${seedOfRun}\n${scenario.join('\n')}`);
  const verdict = await runner.check(scenario);
  totals.runs++;
  totals.modelMs += verdict.modelMs;
  if (verdict.skipped !== undefined) {
    totals.skipped++;
    return;
  }
  totals.ops += verdict.ops;
  countOutcomes(scenario, verdict.kernelCodes);
  countNamespaces(scenario, verdict.kernelCodes);
  if (!values['no-timing']) totals.kernelMs += await runner.kernelRoundTrip(scenario);
  if (verdict.divergence) totals.divergences++;
  if (verdict.violation) totals.violations++;
  for (const found of findingsOf(verdict)) await report(found, scenario, seedOfRun);
}

/** Milliseconds of an empty scenario's round trip: the worker's cost per scenario, beyond its lines. */
async function roundTripOverhead(): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < 30; i++) samples.push(await runner.kernelRoundTrip([]));
  samples.sort((a, b) => a - b);
  return samples[samples.length >> 1]!;
}

const opsPerSecond = (ops: number, ms: number): string => (ms > 0 ? Math.round((ops * 1000) / ms).toLocaleString('en-US') : 'n/a');

const started = performance.now();
const overhead = values['no-timing'] ? 0 : await roundTripOverhead();
try {
  if (values['run-seed'] !== undefined) {
    await runOne(integer('run-seed', values['run-seed']));
  } else {
    for (let i = 0; i < runs; i++) {
      await runOne(runSeed(seed, i));
      if ((i + 1) % 1000 === 0) process.stderr.write(`fuzz: ${i + 1}/${runs} runs, ${totals.divergences} divergences, ${totals.violations} invariant violations\n`);
    }
  }
} finally {
  await runner.close();
}
const wallSeconds = (performance.now() - started) / 1000;
const ran = totals.runs - totals.skipped;
const kernelNetMs = totals.kernelMs - ran * overhead;

print('\noutcomes on the kernel, per kind of operation:');
for (const [kind, counts] of [...outcomes].sort(([a], [b]) => (a < b ? -1 : 1))) {
  print(`  ${kind.padEnd(28)} ${[...counts].sort(([, a], [, b]) => b - a).map(([code, n]) => `${code} ${n}`).join(', ')}`);
}
print('');
print(`kernel: ${release()}; model: ${kernelVersion}; seed ${seed}; ${generator.minOps}..${generator.maxOps} operations per scenario; names ${values.names}, depth ${values.depth}; namespaces in ${values.namespaces}% of scenarios; set-group ${values['set-group-method']}`);
print(`runs: ${totals.runs} (${totals.skipped} skipped as too big)`);
print(`operations: ${totals.ops}`);
print(`namespaces: ${totals.namespaceRuns} runs started one; ${totals.namespaceOps} unshare/nsenter/exit/kill lines; ${totals.crossingOps} lines crossed into another namespace (/proc/NAME/...), ${totals.insideOps} ran inside one`);
print(`divergences: ${totals.divergences}`);
print(`invariant violations: ${totals.violations}`);
print(`model: ${opsPerSecond(totals.ops, totals.modelMs)} ops/s (${(totals.modelMs / 1000).toFixed(2)} s, fresh namespace per scenario, no checks)`);
if (!values['no-timing']) {
  print(`kernel: ${opsPerSecond(totals.ops, totals.kernelMs)} ops/s round trip (${(totals.kernelMs / 1000).toFixed(2)} s, untraced worker requests)`);
  print(`kernel: ${opsPerSecond(totals.ops, kernelNetMs)} ops/s net of ${overhead.toFixed(2)} ms per scenario (an empty scenario's round trip)`);
  print(`model time / kernel time: ${(totals.modelMs / totals.kernelMs).toFixed(2)} (round trip), ${(totals.modelMs / kernelNetMs).toFixed(2)} (net)`);
}
print(`wall time: ${wallSeconds.toFixed(1)} s`);
print(`fuzz: ${totals.runs} runs, ${totals.ops} ops, ${totals.divergences} divergences`);
process.exitCode = totals.divergences + totals.violations > 0 ? 1 : 0;
