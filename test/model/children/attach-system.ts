// Test child (runs under unshare -m --propagation private): the attach rehearsal's steps on the
// kernel, in a fresh tmpfs, with a KernelSystem of real holders and agents. Prints the steps as JSON.
import { mkdirSync, readlinkSync } from 'node:fs';
import * as sys from '../../../src/native/syscalls.js';
import { withScratch } from '../../../src/process/scratch.js';
import { KernelSystem } from '../../../src/scenario/kernel-system.js';
import { testMethod } from '../../support/kernel.js';
import { rehearseAttach } from '../support/attach-system.js';

const forbidden = readlinkSync(`/proc/${process.ppid}/ns/mnt`);
const result = await withScratch((scratch) => {
  const dir = `${scratch}/1`;
  mkdirSync(dir);
  sys.mount('scenario', dir, 'tmpfs', 0, null);
  const system = new KernelSystem({ dir: scratch, setGroupMethod: testMethod, forbidden });
  process.chdir(dir);
  try {
    return rehearseAttach(system, dir);
  } finally {
    process.chdir('/');
    system.close();
    sys.umount2(dir, sys.addon().constants.MNT_DETACH);
  }
});
process.stdout.write(JSON.stringify(result));
