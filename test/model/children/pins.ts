// Test child (runs under unshare -m --propagation private): the pin scenarios on the kernel, each
// in a fresh tmpfs of its own. Prints, per scenario, the step results and the mountinfo as JSON.
import { mkdirSync, readFileSync } from 'node:fs';
import { KernelNamespace } from '../../../src/kernel/namespace.js';
import { withScratch } from '../../../src/process/scratch.js';
import * as sys from '../../../src/native/syscalls.js';
import { pinScenarios, runPinScenario } from '../support/pin-scenarios.js';

const result = await withScratch((scratch) =>
  Object.entries(pinScenarios).map(([name, steps], i) => {
    const dir = `${scratch}/${i}`;
    mkdirSync(dir);
    sys.mount('scenario', dir, 'tmpfs', 0, null);
    const results = runPinScenario(new KernelNamespace(), dir, steps);
    const mountinfo = readFileSync('/proc/self/mountinfo', 'utf8');
    sys.umount2(dir, sys.addon().constants.MNT_DETACH);
    return { name, dir, results, mountinfo };
  }),
);
process.stdout.write(JSON.stringify(result));
