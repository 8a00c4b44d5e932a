// Bench child (runs under unshare -m --propagation private): times the set-group + make-private
// cycle through the addon, through the public setGroup(), in C, and by shelling out to mount(8)
// for the make-private half, in alternating rounds on the same two mounts. Prints JSON.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { withScratch } from '../../src/kernel/scratch.js';
import * as sys from '../../src/native/syscalls.js';
import { setGroup } from '../../src/set-group.js';

const [cProgram, iterationsArg, roundsArg] = process.argv.slice(2) as [string, string, string];
const iterations = Number(iterationsArg);
const rounds = Number(roundsArg);

function nsPerCycle(cycle: () => void, count = iterations): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) cycle();
  return Number(process.hrtime.bigint() - start) / count;
}

const result = await withScratch((dir) => {
  const { MS_BIND, MS_SHARED, MS_PRIVATE } = sys.addon().constants;
  const [a, b] = [join(dir, 'a'), join(dir, 'b')];
  mkdirSync(a);
  mkdirSync(b);
  sys.mount('bench', a, 'tmpfs', 0, null);
  sys.mount(a, b, null, MS_BIND, null);
  sys.changePropagation(a, MS_SHARED);
  const addonCycle = () => {
    sys.moveMountSetGroup(a, b);
    sys.changePropagation(b, MS_PRIVATE);
  };
  const apiCycle = () => {
    setGroup(a, b, { method: 'move_mount' });
    sys.changePropagation(b, MS_PRIVATE);
  };
  const shellCycle = () => {
    sys.moveMountSetGroup(a, b);
    spawnSync('mount', ['--make-private', b]);
  };
  const c = () => Number(execFileSync(cProgram, [a, b, String(iterations)], { encoding: 'utf8' }));
  nsPerCycle(addonCycle, 1000); // warm up
  const samples = { addon: [] as number[], api: [] as number[], c: [] as number[], shell: [] as number[] };
  for (let round = 0; round < rounds; round++) {
    samples.c.push(c());
    samples.addon.push(nsPerCycle(addonCycle));
    samples.api.push(nsPerCycle(apiCycle));
    samples.shell.push(nsPerCycle(shellCycle, 50));
  }
  return samples;
});
process.stdout.write(JSON.stringify(result));
