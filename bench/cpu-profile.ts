// Reading a V8 CPU profile (node --cpu-prof): where the time went in a stretch of it, by function,
// self time only.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  /** The clock of the first sample, µs: CLOCK_MONOTONIC, as process.hrtime. */
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface HotSpot {
  /** Function name and file, e.g. "copyTree (clone.ts)", or "(garbage collector)". */
  where: string;
  ms: number;
  share: number;
}

function label(node: ProfileNode): string {
  const { functionName, url } = node.callFrame;
  const name = functionName || '(anonymous)';
  return url ? `${name} (${basename(url)})` : name;
}

/**
 * The `count` functions with the most self time in the profile at `path`, counting only the samples
 * taken within one of `windows` (process.hrtime µs) — garbage collection included, which V8
 * records apart from the functions that caused it.
 */
export function hotSpots(path: string, count: number, windows: readonly [number, number][]): HotSpot[] {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const labels = new Map(profile.nodes.map((node) => [node.id, label(node)]));
  const self = new Map<string, number>();
  let total = 0;
  let clock = profile.startTime;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    clock += delta;
    if (!windows.some(([start, end]) => clock >= start && clock <= end)) return;
    const where = labels.get(id) ?? '?';
    self.set(where, (self.get(where) ?? 0) + delta);
    total += delta;
  });
  return [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([where, us]) => ({ where, ms: us / 1000, share: us / total }));
}
