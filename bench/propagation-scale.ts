// Row 3: propagation at scale in the model — one mount propagated to the N members of a shared
// mount's peer group and slaves, and repeated rbinds onto a shared mount that grow the namespace
// until fs.mount-max refuses one — at 1k, 10k and 100k resulting mounts. Growth must be linear: the
// time per resulting mount at 100k over that at 10k is held to <= 1.5 (N log N would give 1.25,
// N^2 10). Each size runs in a fresh process (bench/children/propagation-scale.ts), sizes
// alternating round by round. When a scenario misses, its 100k step is profiled with V8's CPU
// profiler and the functions with the most self time are named in the row.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeArguments } from '../src/process/child.js';
import type { ScaleRun, Scenario } from './children/propagation-scale.js';
import { hotSpots } from './cpu-profile.js';
import { formatNs, goalMet, median, type BenchRow, type Goal } from './stats.js';

const SIZES = [1_000, 10_000, 100_000] as const;
const LINEAR: Goal = { op: '<=', value: 1.5 };

const scenarioNames: Record<Scenario, string> = {
  'fan-out': 'propagation fan-out (one mount on a shared mount, N peers and slaves)',
  rbind: 'propagation rbind growth (rbinds onto a shared mount up to fs.mount-max = N)',
};

/** The child's runs; with `profileDir`, under node --cpu-prof writing its profile there. */
function runChild(scenario: Scenario, size: number, runs: number, profileDir?: string): ScaleRun[] {
  const flags = ['--expose-gc', ...(profileDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-interval=100', `--cpu-prof-dir=${profileDir}`])];
  const args = [...flags, ...nodeArguments(new URL('./children/propagation-scale.ts', import.meta.url), [scenario, String(size), String(runs)])];
  const child = spawnSync(process.execPath, args, {
    encoding: 'utf8',
    timeout: 600_000,
  });
  if (child.status !== 0) throw new Error(`propagation-scale ${scenario} ${size} failed: ${child.stderr}`);
  return JSON.parse(child.stdout) as ScaleRun[];
}

/** Every size's runs, from `rounds` fresh processes each, sizes alternating. */
function measure(scenario: Scenario, rounds: number, runs: number): Map<number, ScaleRun[]> {
  const bySize = new Map<number, ScaleRun[]>(SIZES.map((size) => [size, []]));
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < SIZES.length; i++) {
      const size = SIZES[(round + i) % SIZES.length]!;
      bySize.get(size)!.push(...runChild(scenario, size, runs));
    }
  }
  return bySize;
}

interface SizeResult {
  size: number;
  mounts: number;
  /** Step and settling scavenge, per mount. */
  nsPerMount: number;
  /** The step alone, per mount, and the share of it that was garbage collection. */
  stepNsPerMount: number;
  gcShare: number;
  heapPerMount: number;
}

function summarize(size: number, runs: ScaleRun[]): SizeResult {
  const perMount = (ms: number, run: ScaleRun) => (ms * 1e6) / run.mounts;
  return {
    size,
    mounts: runs[0]!.mounts,
    nsPerMount: median(runs.map((run) => perMount(run.stepMs + run.settleMs, run))),
    stepNsPerMount: median(runs.map((run) => perMount(run.stepMs, run))),
    gcShare: median(runs.map((run) => run.gcMs / run.stepMs)),
    heapPerMount: median(runs.map((run) => run.heapBytes / run.mounts)),
  };
}

/** The hottest functions of the 100k step (node --cpu-prof), as the row's evidence. */
function profileEvidence(scenario: Scenario): string {
  const dir = mkdtempSync(join(tmpdir(), 'mount-set-group-bench-'));
  try {
    const runs = runChild(scenario, SIZES.at(-1)!, 1, dir);
    const [profile] = readdirSync(dir).filter((file) => file.endsWith('.cpuprofile'));
    if (profile === undefined) throw new Error(`no CPU profile of ${scenario} in ${dir}`);
    const spots = hotSpots(join(dir, profile), 6, runs.map((run) => run.window)).map((spot) => `${spot.where} ${(spot.share * 100).toFixed(0)}%`);
    return `; CPU profile of the 100k step, self time: ${spots.join(', ')}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function scenarioRows(scenario: Scenario, rounds: number, runs: number): BenchRow[] {
  const results = [...measure(scenario, rounds, runs)].map(([size, sizeRuns]) => summarize(size, sizeRuns));
  const name = scenarioNames[scenario];
  const rows: BenchRow[] = results.map((result) => ({
    name: `${name}: per mount, N = ${result.size / 1000}k`,
    value: result.nsPerMount,
    unit: 'ns',
    detail: `${result.mounts} mounts in ${formatNs(result.nsPerMount * result.mounts)} with the scavenge that settles them; the step alone ${formatNs(result.stepNsPerMount)} per mount, ${(result.gcShare * 100).toFixed(0)}% of it collecting garbage; ${result.heapPerMount.toFixed(0)} bytes of heap per mount`,
  }));
  const [tenK, hundredK] = [results.at(-2)!, results.at(-1)!];
  const growth: BenchRow = {
    name: `${name}: per-mount time 100k / 10k`,
    value: hundredK.nsPerMount / tenK.nsPerMount,
    unit: 'ratio',
    goal: LINEAR,
    detail: `linear growth keeps this near 1`,
  };
  if (goalMet(growth) === false) growth.detail += profileEvidence(scenario);
  return [...rows, growth];
}

export function propagationScale(rounds = 3, runs = 3): BenchRow[] {
  return [...scenarioRows('fan-out', rounds, runs), ...scenarioRows('rbind', rounds, runs)];
}
