// Row 1: the set-group + make-private cycle (move_mount(MOVE_MOUNT_SET_GROUP), then
// mount(MS_PRIVATE)) through the addon against the same cycle in C, measured in alternating rounds
// in one child with a private mount namespace of its own; with the floor any N-API addon has for
// these two calls and the C loop run inside Node (both bench/c/napi-floor.c), and shelling out to
// mount(8), what a Node user does today.
import { runPrivateSync } from '../src/process/child.js';
import { buildDir, compileAddon, compileProgram } from './build.js';
import { formatNs, medians, type BenchRow } from './stats.js';

type Contender = 'c' | 'cInNode' | 'cInNodePerCall' | 'raw' | 'addon' | 'api' | 'shell' | 'floor' | 'empty';

function measureCycles(iterations: number, rounds: number): Record<Contender, number> {
  const dir = buildDir();
  try {
    const program = compileProgram(dir, 'set-group-cycle');
    const floor = compileAddon(dir, 'napi-floor');
    const args = [program, floor, String(iterations), String(rounds)];
    const child = runPrivateSync(new URL('./children/set-group-cycle.ts', import.meta.url), args, { timeout: 600_000 });
    if (child.status !== 0) throw new Error(`set-group cycle bench failed: ${child.stderr}`);
    return medians(JSON.parse(child.stdout) as Record<Contender, number[]>);
  } finally {
    dir.dispose();
  }
}

export function setGroupCycle(iterations = 20_000, rounds = 31): BenchRow[] {
  const ns = measureCycles(iterations, rounds);
  const overhead = (cycle: number) => `${formatNs(cycle)} vs ${formatNs(ns.c)} per cycle, ${formatNs(cycle - ns.c)} over C`;
  return [
    {
      name: 'set-group + make-private cycle: addon / C',
      value: ns.addon / ns.c,
      unit: 'ratio',
      goal: { op: '<=', value: 1.1 },
      detail: `${overhead(ns.addon)} (src/native/syscalls.ts; the bare addon calls: ${(ns.raw / ns.c).toFixed(2)}, ${formatNs(ns.raw)})`,
    },
    {
      name: 'set-group + make-private cycle: setGroup() / C',
      value: ns.api / ns.c,
      unit: 'ratio',
      detail: `${overhead(ns.api)} (argument checks, cached probe)`,
    },
    {
      name: 'set-group + make-private cycle: the N-API floor, (C + floor) / C',
      value: (ns.c + ns.floor) / ns.c,
      unit: 'ratio',
      detail: `the same 2 N-API calls with their arguments and no syscall cost ${formatNs(ns.floor)} per cycle, measured hot (no syscall between them); an empty call ${formatNs(ns.empty)}`,
    },
    {
      name: 'set-group + make-private cycle: the C loop inside Node / C',
      value: ns.cInNode / ns.c,
      unit: 'ratio',
      detail: `${formatNs(ns.cInNode)} per cycle: the C program's loop run in this Node process by one call into the floor addon, what the kernel's half costs here`,
    },
    {
      name: 'set-group + make-private cycle: the C loop inside Node, one cycle per call / C',
      value: ns.cInNodePerCall / ns.c,
      unit: 'ratio',
      detail: `${formatNs(ns.cInNodePerCall)} per cycle, ${formatNs(ns.cInNodePerCall - ns.cInNode)} over the loop in one call: back in JavaScript after every cycle's syscalls, which any addon is; its one N-API call costs ${formatNs(ns.empty)} hot`,
    },
    {
      name: 'set-group + make-private cycle, make-private by mount(8): / addon',
      value: ns.shell / ns.addon,
      unit: 'x',
      detail: `${formatNs(ns.shell)} per cycle: spawning mount --make-private (util-linux has no set-group command)`,
    },
  ];
}
