// Test child (runs under unshare -m --propagation private): for each scenario on stdin, build it on
// a KernelSystem (real holders and agents) in a fresh directory, dump every namespace it left as one
// set, and restore the set — on the kernel, each namespace in a new one of its own, and on a fresh
// model. restoreSet dumps its result back and fails on any difference: `ok` is an exact round trip.
import { mkdirSync, readlinkSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { ModelSystem } from '../../../src/model/index.js';
import * as sys from '../../../src/native/syscalls.js';
import { readStdin } from '../../../src/process/child.js';
import { withScratch } from '../../../src/process/scratch.js';
import { restoreSet, type RestoreSetResult } from '../../../src/restore/restore-set.js';
import { KernelSystem } from '../../../src/scenario/kernel-system.js';
import { runScenario } from '../../../src/scenario/run.js';
import { testMethod } from '../../support/kernel.js';
import { dumpRun, failuresOf, shapeOfSet, type SetShape } from '../support/sets.js';

interface Outcome { ok: boolean; error?: string; mountCalls?: number; ms?: number }

function attempt(body: () => RestoreSetResult, after: (result: RestoreSetResult) => void = () => {}): Outcome {
  const start = performance.now();
  try {
    const result = body();
    const ms = Math.round(performance.now() - start);
    after(result);
    return { ok: true, mountCalls: result.counts.mountCalls, ms };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

const scenarios = JSON.parse(await readStdin()) as Record<string, string>;
const forbidden = readlinkSync(`/proc/${process.ppid}/ns/mnt`);
const results = await withScratch((scratch) => {
  const out: Record<string, { failures: string[]; shape: SetShape; kernel: Outcome; model: Outcome }> = {};
  Object.entries(scenarios).forEach(([name, text], i) => {
    const dir = `${scratch}/${i}`;
    mkdirSync(dir);
    sys.mount('scenario', dir, 'tmpfs', 0, null);
    const system = new KernelSystem({ dir: scratch, setGroupMethod: testMethod, forbidden });
    process.chdir(dir); // the worker's way: the first process works in the scenario's directory (/proc/host/cwd)
    try {
      const run = runScenario(system, text, { cwd: dir, confineTo: dir });
      const set = dumpRun(run, dir, system.init.namespaceIds().user);
      const kernel = attempt(
        () => restoreSet(system, set, { into: `${scratch}/restored-${i}`, staging: `${scratch}/staging-${i}` }),
        (result) => result.namespaces.forEach((ns) => system.kill(ns.holder)),
      );
      const model = attempt(() => restoreSet(new ModelSystem(), set, { into: '/restored', staging: '/staging', superOptions: 'rw' }));
      out[name] = { failures: failuresOf(run), shape: shapeOfSet(set), kernel, model };
    } finally {
      process.chdir('/');
      system.close();
      sys.umount2(dir, sys.addon().constants.MNT_DETACH);
    }
  });
  return out;
});
process.stdout.write(JSON.stringify(results));
