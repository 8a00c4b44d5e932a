// Evidence for row 1, in a count that does not depend on the machine's load: user-space
// instructions per set-group + make-private cycle, counted by callgrind — through the addon, through
// the floor addon (the same two N-API calls with their arguments, no syscall), and in C — with
// where the addon's go (the addon's own code, Node's N-API and V8, libc, JIT-compiled JavaScript).
// The kernel's share cannot be counted here (no hardware counters in this VM: `perf stat -e
// instructions` says <not supported>); it is the C cycle's time, as C spends ~40 instructions of
// its own per cycle.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { nodeArguments } from '../src/process/child.js';
import { buildDir, compileAddon, compileProgram, type BuildDir } from './build.js';
import { readSelfCost, top, type SelfCost } from './callgrind.js';
import type { BenchRow } from './stats.js';

const WARMUP = 50_000;
const MEASURED = 10_000;

/** Runs `command` under callgrind in a new private mount namespace; returns the output file prefix. */
function callgrind(dir: BuildDir, name: string, command: string[], options: string[] = []): string {
  const out = join(dir.path, `${name}.callgrind`);
  const args = ['-m', '--propagation', 'private', '--', 'valgrind', '--tool=callgrind', `--log-file=${out}.log`, `--callgrind-out-file=${out}`, ...options, ...command];
  const child = spawnSync('unshare', args, { encoding: 'utf8', timeout: 600_000 });
  if (child.error) throw new Error(`valgrind did not run: ${child.error.message} (install valgrind)`);
  if (child.status !== 0) throw new Error(`callgrind of ${name} failed (${child.status}): ${child.stderr}`);
  return out;
}

/** The stretch between the two marker calls: callgrind's second dump, `<out>.2`. */
function measuredStretch(out: string): SelfCost {
  const dumps = readdirSync(join(out, '..')).filter((file) => file.startsWith(`${basename(out)}.`) && /\.\d+$/.test(file));
  if (!dumps.includes(`${basename(out)}.2`)) throw new Error(`callgrind wrote no dump between the markers (${dumps.join(', ')})`);
  return readSelfCost(`${out}.2`);
}

/** User-space instructions per cycle of the Node child `mode`, with its self cost by object. */
function nodeCycle(dir: BuildDir, mode: 'addon' | 'floor', floor: string): SelfCost {
  const child = new URL('./children/cycle-instructions.ts', import.meta.url);
  // Optimizing compiles on the main thread: finished during the warm-up, not counted in the stretch.
  const v8Flags = ['--no-concurrent-recompilation', '--no-concurrent-osr'];
  const command = [process.execPath, ...v8Flags, ...nodeArguments(child, [mode, floor, String(WARMUP), String(MEASURED)])];
  return measuredStretch(callgrind(dir, mode, command, ['--dump-before=napi_floor_empty']));
}

/**
 * Instructions per cycle of the C program: two runs that differ only in their number of cycles.
 * Valgrind answers move_mount with ENOSYS (hence --ignore-errors), and paths that do not exist make
 * mount(MS_PRIVATE) fail in the kernel's lookup: user space does the same work either way, and no
 * mount changes even in the private namespace the run gets.
 */
function cCycle(dir: BuildDir, program: string): number {
  const totals = [MEASURED, 2 * MEASURED].map((cycles) => {
    const out = callgrind(dir, `c-${cycles}`, [program, '/nonexistent/a', '/nonexistent/b', String(cycles), '--ignore-errors']);
    return readSelfCost(out).total;
  });
  return (totals[1]! - totals[0]!) / MEASURED;
}

function perCycle(cost: number): number {
  return cost / MEASURED;
}

/** Where an object's instructions belong, in words. */
function objectName(object: string, addonFile: string): string {
  if (object === '???') return 'JIT-compiled JS';
  if (object.endsWith('/mount_set_group.node')) return 'the addon';
  if (object === addonFile) return 'the floor addon';
  if (object === process.execPath || object.endsWith('/node')) return 'Node (N-API, V8)';
  return basename(object).replace(/\.so.*$/, '');
}

function breakdown(cost: SelfCost, floorFile: string): string {
  return top(cost.objects, 4)
    .filter(([, ir]) => perCycle(ir) >= 1)
    .map(([object, ir]) => `${objectName(object, floorFile)} ${perCycle(ir).toFixed(0)}`)
    .join(', ');
}

/** A C++ function's name without its namespace, parameters and object. */
function functionName(fn: string): string {
  return fn.replaceAll('(anonymous namespace)::', '').replace(/ \[.*$/, '').replace(/\(.*$/, '');
}

function hottest(cost: SelfCost, count: number): string {
  return top(cost.functions, count)
    .map(([fn, ir]) => `${functionName(fn)} ${perCycle(ir).toFixed(0)}`)
    .join(', ');
}

export function setGroupInstructions(): BenchRow[] {
  const dir = buildDir();
  try {
    const floorFile = compileAddon(dir, 'napi-floor');
    const addon = nodeCycle(dir, 'addon', floorFile);
    const floor = nodeCycle(dir, 'floor', floorFile);
    const c = cCycle(dir, compileProgram(dir, 'set-group-cycle'));
    return [
      {
        name: 'set-group + make-private cycle: user-space instructions, addon',
        value: perCycle(addon.total),
        unit: 'instructions',
        detail: `callgrind, per cycle: ${breakdown(addon, floorFile)}; hottest: ${hottest(addon, 5)}`,
      },
      {
        name: 'set-group + make-private cycle: user-space instructions, N-API floor',
        value: perCycle(floor.total),
        unit: 'instructions',
        detail: `${breakdown(floor, floorFile)}; the addon does ${perCycle(addon.total - floor.total).toFixed(0)} more`,
      },
      {
        name: 'set-group + make-private cycle: user-space instructions, C',
        value: c,
        unit: 'instructions',
        detail: 'the rest of the C cycle is the kernel (its time in the cycle row)',
      },
    ];
  } finally {
    dir.dispose();
  }
}
