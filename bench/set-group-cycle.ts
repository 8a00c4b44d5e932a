// Per-call cost of a set-group + make-private cycle: through the addon and through setGroup(),
// against the same cycle in a small C program and against shelling out to mount(8), measured in
// alternating rounds in one run (a private mount namespace of its own). Prints the ratios.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runPrivateSync } from '../src/kernel/child.js';
import { median, type BenchRow } from './stats.js';

export function compileC(source: string): string {
  const binary = join(mkdtempSync(join(tmpdir(), 'mount-set-group-bench-')), 'set-group-cycle');
  execFileSync('cc', ['-O2', '-o', binary, fileURLToPath(new URL(source, import.meta.url))]);
  return binary;
}

export function setGroupCycle(iterations = 20_000, rounds = 7): BenchRow[] {
  const binary = compileC('./c/set-group-cycle.c');
  const child = runPrivateSync(new URL('./children/set-group-cycle.ts', import.meta.url), [binary, String(iterations), String(rounds)], { timeout: 600_000 });
  if (child.status !== 0) throw new Error(`set-group cycle bench failed: ${child.stderr}`);
  const samples = JSON.parse(child.stdout) as Record<'addon' | 'api' | 'c' | 'shell', number[]>;
  const [c, addon, api, shell] = [median(samples.c), median(samples.addon), median(samples.api), median(samples.shell)];
  return [
    { name: 'set-group + make-private: addon / C', value: addon / c, unit: 'ratio', goal: '<= 1.10', detail: `${(addon / 1000).toFixed(2)} µs vs ${(c / 1000).toFixed(2)} µs per cycle` },
    { name: 'set-group + make-private: setGroup() / C', value: api / c, unit: 'ratio', goal: '<= 1.10', detail: `${(api / 1000).toFixed(2)} µs per cycle` },
    { name: 'make-private by shelling out to mount(8) / addon', value: shell / addon, unit: 'ratio', detail: `${(shell / 1000).toFixed(0)} µs per cycle` },
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const row of setGroupCycle()) console.log(`${row.name}: ${row.value.toFixed(3)} (${row.detail})`);
}
