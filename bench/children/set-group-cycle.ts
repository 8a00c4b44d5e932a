// Bench child (runs under unshare -m --propagation private): times the set-group + make-private
// cycle on the same two mounts of a scratch tmpfs — in C, through the raw addon, through
// src/native/syscalls.ts, through the public setGroup(), with the make-private half shelled out to
// mount(8) — the same two calls into the floor addon (no syscalls), and the C loop run inside this
// process through the floor addon, all cycles in one call and one cycle per call, in alternating rounds.
// Prints each contender's nanoseconds per cycle, one sample per round, as JSON.
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { makeJoinablePair, withScratch } from '../../src/process/scratch.js';
import * as sys from '../../src/native/syscalls.js';
import { setGroup } from '../../src/set-group/set-group.js';
import { alternate } from '../stats.js';
import { loadFloorAddon } from './floor-addon.js';

const [cProgram, floorAddon, iterationsArg, roundsArg] = process.argv.slice(2) as [string, string, string, string];
const iterations = Number(iterationsArg);
const rounds = Number(roundsArg);
/** Cycles per sample when each one spawns mount(8): a few milliseconds each. */
const SHELL_CYCLES = 40;

function nsPerCycle(cycle: () => void, count = iterations): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) cycle();
  return Number(process.hrtime.bigint() - start) / count;
}

function shellMakePrivate(target: string): void {
  const child = spawnSync('mount', ['--make-private', target]);
  if (child.status !== 0) throw new Error(`mount --make-private failed: ${child.stderr.toString()}`);
}

function measure(dir: string): Record<string, number[]> {
  const native = sys.addon();
  const floor = loadFloorAddon(floorAddon);
  const { MS_PRIVATE } = native.constants;
  const [a, b] = [join(dir, 'a'), join(dir, 'b')];
  makeJoinablePair(a, b, 'bench');
  const cycles = {
    c: () => Number(execFileSync(cProgram, [a, b, String(iterations)], { encoding: 'utf8' })),
    cInNode: () => nsPerCycle(() => {
      if (floor.cLoop(a, b, iterations) !== 0) throw new Error('the C loop in Node failed');
    }, 1) / iterations,
    cInNodePerCall: () => nsPerCycle(() => floor.cLoop(a, b, 1)),
    raw: () => nsPerCycle(() => {
      native.moveMountSetGroup(a, b);
      native.changePropagation(b, MS_PRIVATE);
    }),
    addon: () => nsPerCycle(() => {
      sys.moveMountSetGroup(a, b);
      sys.changePropagation(b, MS_PRIVATE);
    }),
    api: () => nsPerCycle(() => {
      setGroup(a, b, { method: 'move_mount' });
      sys.changePropagation(b, MS_PRIVATE);
    }),
    shell: () => nsPerCycle(() => {
      sys.moveMountSetGroup(a, b);
      shellMakePrivate(b);
    }, SHELL_CYCLES),
    floor: () => nsPerCycle(() => {
      floor.setGroupShape(a, b);
      floor.propagationShape(b, MS_PRIVATE);
    }),
    empty: () => nsPerCycle(() => floor.empty()),
  };
  return alternate(rounds, cycles);
}

process.stdout.write(JSON.stringify(await withScratch(measure)));
