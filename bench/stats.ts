// What every benchmark prints: a named ratio (or time) with the goal it is held to.
export interface BenchRow {
  name: string;
  value: number;
  unit: 'ratio' | 'ms' | 'ops/s' | 'syscalls/mount';
  goal?: string;
  detail?: string;
}

/** The median of some samples: less swayed by a noisy round than the mean. */
export function median(samples: number[]): number {
  const sorted = [...samples].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
