// Bench child for callgrind (runs under unshare -m --propagation private, itself under valgrind):
// sets up the set-group cycle's two mounts, then makes WARMUP + MEASURED cycles through the bare
// addon calls or through the floor addon (bench/c/napi-floor.c), the measured ones between two calls
// of the floor addon's empty(), where callgrind dumps its counters (--dump-before). Valgrind
// 3.19 does not know move_mount (429) and answers ENOSYS without entering the kernel; the bare
// addon call returns -ENOSYS by the same user-space path as a successful call (syscalls.ts would
// throw a MountError, which is why it is not used here).
import { join } from 'node:path';
import { makeJoinablePair, withScratch } from '../../src/process/scratch.js';
import * as sys from '../../src/native/syscalls.js';
import { loadFloorAddon } from './floor-addon.js';

const [mode, floorAddon, warmupArg, measuredArg] = process.argv.slice(2) as ['addon' | 'floor', string, string, string];
const [warmup, measured] = [Number(warmupArg), Number(measuredArg)];

function repeat(cycle: () => void, count: number): void {
  for (let i = 0; i < count; i++) cycle();
}

/**
 * `warmup` cycles, in batches through the function that then makes the `measured` ones between two
 * calls of the marker callgrind dumps at: optimized by then, not compiled on stack (OSR) mid-stretch.
 */
function run(cycle: () => void, marker: () => void): void {
  for (let batch = 0; batch < 100; batch++) repeat(cycle, warmup / 100);
  marker();
  repeat(cycle, measured);
  marker();
}

await withScratch((dir) => {
  const native = sys.addon();
  const floor = loadFloorAddon(floorAddon);
  const { MS_PRIVATE } = native.constants;
  const [a, b] = [join(dir, 'a'), join(dir, 'b')];
  makeJoinablePair(a, b, 'bench');
  const cycles = {
    addon: () => {
      native.moveMountSetGroup(a, b);
      native.changePropagation(b, MS_PRIVATE);
    },
    floor: () => {
      floor.setGroupShape(a, b);
      floor.propagationShape(b, MS_PRIVATE);
    },
  };
  run(cycles[mode], () => floor.empty());
});
