// Test child (runs under unshare -m --propagation private): the detached-tree scenarios on the
// kernel, each in a fresh tmpfs of its own, with a KernelSystem of real holders and agents. Prints,
// per scenario, the step results and the normalized mountinfo of every namespace held, as JSON.
import { mkdirSync, readlinkSync } from 'node:fs';
import { parse } from '../../../src/mountinfo/index.js';
import * as sys from '../../../src/native/syscalls.js';
import { withScratch } from '../../../src/process/scratch.js';
import { KernelSystem } from '../../../src/scenario/kernel-system.js';
import { normalizedUnder } from '../../differential/sides.js';
import { testMethod } from '../../support/kernel.js';
import { detachedScenarios, runDetachedScenario } from '../support/detached-scenarios.js';

const forbidden = readlinkSync(`/proc/${process.ppid}/ns/mnt`);
const result = await withScratch((scratch) =>
  Object.entries(detachedScenarios).map(([name, steps], i) => {
    const dir = `${scratch}/${i}`;
    mkdirSync(dir);
    sys.mount('scenario', dir, 'tmpfs', 0, null);
    const system = new KernelSystem({ dir: scratch, setGroupMethod: testMethod, forbidden });
    try {
      const { results, namespaces } = runDetachedScenario(system, dir, steps);
      const mountinfo = normalizedUnder(namespaces.map(({ name, process }) => ({ name, entries: parse(process.mountinfo()) })), dir);
      return { name, results, mountinfo };
    } finally {
      system.close();
      sys.umount2(dir, sys.addon().constants.MNT_DETACH);
    }
  }),
);
process.stdout.write(JSON.stringify(result));
