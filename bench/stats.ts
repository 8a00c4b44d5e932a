// What every benchmark returns — named values with the goal each is held to — and the few
// statistics they share. These machines are noisy (2 cores, other jobs running): contenders are
// measured in alternating rounds in one run, and a row reports medians and ratios of medians.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** A goal a row's value is held to, e.g. `{ op: '<=', value: 1.1 }`. */
export interface Goal {
  op: '<=' | '<' | '>=';
  value: number;
}

export type Unit = 'ratio' | 'x' | 'ms' | 'µs' | 'ns' | 'syscalls/mount' | 'instructions';

/** One line of the benchmark table. */
export interface BenchRow {
  name: string;
  value: number;
  unit: Unit;
  goal?: Goal;
  /** What the value is made of: the medians behind a ratio, sizes, breakdowns. */
  detail?: string;
}

/** Whether a row meets its goal; undefined for a row without one. */
export function goalMet(row: BenchRow): boolean | undefined {
  if (row.goal === undefined) return undefined;
  const { op, value } = row.goal;
  if (op === '<=') return row.value <= value;
  if (op === '<') return row.value < value;
  return row.value >= value;
}

/** The median of some samples: less swayed by a noisy round than the mean. */
export function median(samples: readonly number[]): number {
  if (samples.length === 0) throw new RangeError('median of no samples');
  const sorted = [...samples].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Runs every contender once per round, `rounds` times, starting each round with the next contender
 * so none always runs first (or right after the same neighbour); returns each one's samples. The
 * `warmup` rounds before (JIT, caches) are not kept.
 */
export function alternate<K extends string>(rounds: number, contenders: Record<K, () => number>, warmup = 1): Record<K, number[]> {
  const names = Object.keys(contenders) as K[];
  const samples = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<K, number[]>;
  for (let round = -warmup; round < rounds; round++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(round + warmup + i) % names.length]!;
      const sample = contenders[name]();
      if (round >= 0) samples[name].push(sample);
    }
  }
  return samples;
}

/** The medians of alternate()'s samples. */
export function medians<K extends string>(samples: Record<K, number[]>): Record<K, number> {
  return Object.fromEntries(Object.entries<number[]>(samples).map(([name, values]) => [name, median(values)])) as Record<K, number>;
}

/** Milliseconds that `work` takes, once. */
export function timeMs(work: () => unknown): number {
  const start = performance.now();
  work();
  return performance.now() - start;
}

let collector: ((options: { type: 'minor' }) => void) | undefined;

/**
 * A scavenge of V8's young generation, made callable without --expose-gc on the command line. Not a
 * full collection: that would also shrink the young generation back to its start size, and the
 * next contender would pay for growing it again.
 */
function scavenge(): void {
  if (collector === undefined) {
    setFlagsFromString('--expose-gc');
    collector = runInNewContext('gc') as (options: { type: 'minor' }) => void;
  }
  collector({ type: 'minor' });
}

/**
 * Milliseconds that `work` takes, once, starting from an empty young generation: contenders
 * measured in turns in one process do not pay for each other's short-lived garbage.
 */
export function isolatedMs(work: () => unknown): number {
  scavenge();
  return timeMs(work);
}

/** A duration in nanoseconds, in the unit that reads best. */
export function formatNs(ns: number): string {
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(ns >= 1e8 ? 0 : 1)} ms`;
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(2)} µs`;
  return `${ns.toFixed(0)} ns`;
}
