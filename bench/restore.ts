// Row 5: restore of a 10,000-mount topology (bench/topologies.ts) on the kernel, in a child with a
// private mount namespace, and on the model: wall time of restore() (places, plan, apply, dump and
// compare) and system calls per mount. The kernel's calls are counted twice: as restore() counts
// them (mount calls, mkdirs, pins) and by strace in a second run — every syscall the restoring
// thread makes between two marker calls, the openat2(2)s and closes of its held places and the
// probe's fork included.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { privateNamespaceCommand, runPrivateSync } from '../src/process/child.js';
import { ModelNamespace } from '../src/model/index.js';
import type { ApplyCounts } from '../src/restore/apply.js';
import { restore } from '../src/restore/restore.js';
import type { Topology } from '../src/restore/topology.js';
import { median, timeMs, type BenchRow } from './stats.js';
import { mixedTopology } from './topologies.js';

interface KernelRestore {
  mounts: number;
  counts: ApplyCounts;
  ms: number;
  /** restore() split at its first and last step. */
  phases: { beforeSteps: number; steps: number; afterSteps: number };
}

const START_MARKER = '/mount-set-group-bench: restore starts';
const END_MARKER = '/mount-set-group-bench: restore ends';
const restoreChild = new URL('./children/restore.ts', import.meta.url);

function kernelRestore(topology: Topology): KernelRestore {
  const child = runPrivateSync(restoreChild, [START_MARKER, END_MARKER], { input: JSON.stringify(topology), timeout: 600_000 });
  if (child.status !== 0) throw new Error(`kernel restore bench failed: ${child.stderr}`);
  return JSON.parse(child.stdout) as KernelRestore;
}

/** Syscalls by name that the child's main thread made between the markers, from `strace -f`. */
function tracedSyscalls(topology: Topology): Map<string, number> {
  const dir = mkdtempSync(join(tmpdir(), 'mount-set-group-bench-'));
  try {
    const trace = join(dir, 'strace');
    const [command, args] = privateNamespaceCommand(restoreChild, [START_MARKER, END_MARKER]);
    // strace outside the namespace: the child's parent must be in another one (withScratch checks).
    const child = spawnSync('strace', ['-f', '-qq', '-o', trace, '--', command, ...args], {
      input: JSON.stringify(topology),
      encoding: 'utf8',
      timeout: 600_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    if (child.error) throw new Error(`strace did not run: ${child.error.message} (install strace)`);
    if (child.status !== 0) throw new Error(`kernel restore under strace failed: ${child.stderr}`);
    return countBetweenMarkers(readFileSync(trace, 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** strace -f lines are "TID name(args) = result"; the markers are access(2) calls on their paths. */
function countBetweenMarkers(trace: string): Map<string, number> {
  const counts = new Map<string, number>();
  let thread: string | undefined;
  for (const line of trace.split('\n')) {
    const match = /^(\d+)\s+(?:<\.\.\. )?(\w+)/.exec(line);
    if (match === null) continue;
    const [, tid, name] = match as unknown as [string, string, string];
    if (line.includes(START_MARKER)) thread = tid;
    else if (line.includes(END_MARKER) && tid === thread) return counts;
    else if (tid === thread && !line.includes('resumed>')) counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  throw new Error('strace output has no restore between the markers');
}

const mountTableCalls = new Set(['mount', 'move_mount', 'umount2', 'open_tree', 'mkdir', 'mkdirat']);

function tracedRow(traced: Map<string, number>, n: number): BenchRow {
  const total = [...traced.values()].reduce((sum, count) => sum + count, 0);
  const byName = [...traced].sort((a, b) => b[1] - a[1]);
  const mountTable = byName.filter(([name]) => mountTableCalls.has(name)).reduce((sum, [, count]) => sum + count, 0);
  return {
    name: `restore ${n} mounts, kernel: syscalls per mount (strace, every one)`,
    value: total / n,
    unit: 'syscalls/mount',
    goal: { op: '<=', value: 3 },
    detail: `${total} calls of the restoring thread: ${byName.slice(0, 8).map(([name, count]) => `${name} ${(count / n).toFixed(2)}`).join(', ')}; mount-table calls (mount, move_mount, open_tree, mkdir) alone ${(mountTable / n).toFixed(2)}`,
  };
}

function modelRestore(topology: Topology, mounts: number, rounds: number): { ms: number; counts: ApplyCounts } {
  let counts: ApplyCounts | undefined;
  const samples = Array.from({ length: rounds }, () => {
    const model = new ModelNamespace({ mountMax: mounts * 4 });
    model.mkdir('/into');
    return timeMs(() => {
      counts = restore(model, topology, { into: '/into', staging: '/staging', superOptions: 'rw' }).counts;
    });
  });
  return { ms: median(samples), counts: counts! };
}

export function restoreRows(mounts = 10_000, rounds = 3): BenchRow[] {
  const topology = mixedTopology(mounts);
  const n = topology.mounts.length;
  const kernelRuns = Array.from({ length: rounds }, () => kernelRestore(topology));
  const model = modelRestore(topology, mounts, rounds);
  const { counts } = kernelRuns[0]!;
  const phase = (name: keyof KernelRestore['phases']) => `${median(kernelRuns.map((run) => run.phases[name])).toFixed(0)} ms`;
  return [
    {
      name: `restore ${n} mounts, kernel: calls per mount (restore's count)`,
      value: (counts.mountCalls + counts.mkdirs + 2 * counts.pins) / n,
      unit: 'syscalls/mount',
      goal: { op: '<=', value: 3 },
      detail: `${(counts.mountCalls / n).toFixed(2)} mount calls, ${(counts.mkdirs / n).toFixed(2)} mkdir, ${(counts.pins / n).toFixed(2)} pins (open + close)`,
    },
    tracedRow(tracedSyscalls(topology), n),
    {
      name: `restore ${n} mounts, kernel: time`,
      value: median(kernelRuns.map((run) => run.ms)),
      unit: 'ms',
      goal: { op: '<', value: 2000 },
      detail: `median of ${rounds} runs in fresh private namespaces: places and plan ${phase('beforeSteps')}, the steps ${phase('steps')}, dump and compare ${phase('afterSteps')}`,
    },
    {
      name: `restore ${n} mounts, model: time`,
      value: model.ms,
      unit: 'ms',
      detail: `median of ${rounds}; ${(model.counts.mountCalls / n).toFixed(2)} mount calls per mount`,
    },
  ];
}
