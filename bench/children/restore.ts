// Bench child (runs under unshare -m --propagation private): restores the topology read from stdin
// on the kernel, in a scratch tmpfs, and prints the time restore() took, split at its first and
// last step (what comes before applying the plan, applying it, what comes after), and the calls it
// counted.
// restore() runs between two access(2) calls on the marker paths given as arguments, which do not
// exist: under strace, the syscalls between them are restore's.
//
//   restore.ts START_MARKER END_MARKER < topology.json
import { accessSync } from 'node:fs';
import { join } from 'node:path';
import { readStdin } from '../../src/process/child.js';
import { KernelNamespace } from '../../src/kernel/namespace.js';
import { withScratch } from '../../src/process/scratch.js';
import { restore } from '../../src/restore/restore.js';
import { loadTopology } from '../../src/restore/topology.js';

const [startMarker, endMarker] = process.argv.slice(2) as [string, string];

/** One access(2) call that strace shows; the path does not exist. */
function mark(marker: string): void {
  try {
    accessSync(marker);
  } catch {
    // ENOENT: the call is the point
  }
}

const topology = loadTopology(JSON.parse(await readStdin()));
const result = await withScratch((dir) => {
  const ns = new KernelNamespace();
  const [into, staging] = [join(dir, 'into'), join(dir, 'staging')];
  ns.mkdir(into);
  let [firstStep, lastStep] = [0, 0];
  const progress = (done: number, total: number) => {
    if (done === 1) firstStep = performance.now();
    if (done === total) lastStep = performance.now();
  };
  mark(startMarker);
  const start = performance.now();
  const { counts } = restore(ns, topology, { into, staging, progress });
  const end = performance.now();
  mark(endMarker);
  const phases = { beforeSteps: firstStep - start, steps: lastStep - firstStep, afterSteps: end - lastStep };
  return { mounts: topology.mounts.length, counts, ms: end - start, phases };
});
process.stdout.write(JSON.stringify(result));
