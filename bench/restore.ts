// Restore of a 10,000-mount topology on the kernel (in a private namespace) and on the model:
// mount calls per mount and wall time (plan, apply, dump and compare included).
import { runPrivateSync } from '../src/kernel/child.js';
import { ModelNamespace } from '../src/model/index.js';
import type { ApplyCounts } from '../src/restore/apply.js';
import { restore } from '../src/restore/restore.js';
import type { BenchRow } from './stats.js';
import { mixedTopology } from './topologies.js';

export function restoreRows(mounts = 10_000): BenchRow[] {
  const topology = mixedTopology(mounts);
  const child = runPrivateSync(new URL('./children/restore.ts', import.meta.url), [], { input: JSON.stringify(topology), timeout: 600_000 });
  if (child.status !== 0) throw new Error(`kernel restore bench failed: ${child.stderr}`);
  const kernel = JSON.parse(child.stdout) as { mounts: number; counts: ApplyCounts; ms: number };
  const model = new ModelNamespace({ mountMax: mounts * 4 });
  model.mkdir('/into');
  const start = performance.now();
  const { counts } = restore(model, topology, { into: '/into', staging: '/staging', superOptions: 'rw' });
  const modelMs = performance.now() - start;
  const n = topology.mounts.length;
  return [
    {
      name: `restore ${n} mounts, kernel: syscalls per mount`,
      value: (kernel.counts.mountCalls + kernel.counts.mkdirs + kernel.counts.pins) / n,
      unit: 'syscalls/mount',
      goal: '<= 3',
      detail: `${(kernel.counts.mountCalls / n).toFixed(2)} mount calls, ${(kernel.counts.mkdirs / n).toFixed(2)} mkdir, ${(kernel.counts.pins / n).toFixed(2)} open/close`,
    },
    { name: `restore ${n} mounts, kernel: time`, value: kernel.ms, unit: 'ms', goal: '< 2000' },
    { name: `restore ${n} mounts, model: time`, value: modelMs, unit: 'ms', detail: `${(counts.mountCalls / n).toFixed(2)} mount calls per mount` },
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const row of restoreRows(Number(process.argv[2] ?? 10_000))) console.log(`${row.name}: ${row.value.toFixed(2)} ${row.unit}${row.goal ? ` (goal ${row.goal})` : ''}${row.detail ? ` — ${row.detail}` : ''}`);
}
