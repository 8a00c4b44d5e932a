// Bench child (runs under unshare -m --propagation private): restores the topology read from stdin
// on the kernel, in a scratch tmpfs, and prints the time of each phase and the mount calls made.
import { join } from 'node:path';
import { readStdin } from '../../src/kernel/child.js';
import { KernelNamespace } from '../../src/kernel/namespace.js';
import { withScratch } from '../../src/kernel/scratch.js';
import { symlinkGuard } from '../../src/restore/guard.js';
import { restore } from '../../src/restore/restore.js';
import { loadTopology } from '../../src/restore/topology.js';

const topology = loadTopology(JSON.parse(await readStdin()));
const result = await withScratch((dir) => {
  const ns = new KernelNamespace();
  const [into, staging] = [join(dir, 'into'), join(dir, 'staging')];
  ns.mkdir(into);
  const start = performance.now();
  const { counts } = restore(ns, topology, { into, staging, guard: symlinkGuard([into, staging]) });
  const ms = performance.now() - start;
  return { mounts: topology.mounts.length, counts, ms };
});
process.stdout.write(JSON.stringify(result));
