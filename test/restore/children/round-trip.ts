// Test child (runs under unshare -m --propagation private): for each scenario on stdin, build it
// on the kernel in a fresh directory, dump it, restore the dump into another directory — on the
// kernel and on the model — and report whether each restore reproduced the topology. Superblocks a
// restore does not create afresh (sysfs) come from this namespace's own mounts of them on the
// kernel, and from a model host holding them on the model.
import { join } from 'node:path';
import { readStdin } from '../../../src/process/child.js';
import { KernelNamespace } from '../../../src/kernel/namespace.js';
import { statInProcess } from '../../../src/process/point-stat.js';
import { withScratch } from '../../../src/process/scratch.js';
import { ModelNamespace } from '../../../src/model/index.js';
import type { OptionPolicy } from '../../../src/mountinfo/normalize.js';
import { parse } from '../../../src/mountinfo/parse.js';
import { dump } from '../../../src/restore/dump.js';
import type { Topology } from '../../../src/restore/topology.js';
import { externalsIn } from '../../../src/restore/externals.js';
import { FRESH_SUPERBLOCK_FILESYSTEMS } from '../../../src/restore/filesystems.js';
import { restore } from '../../../src/restore/restore.js';
import { runScenario } from '../../../src/scenario/run.js';
import { lookInModel, madeUpExternals, modelHost } from '../../support/model-host.js';

interface Outcome { ok: boolean; error?: string; mounts?: number; mountCalls?: number }

/** What a topology holds: peer groups, slaves, and mounts stacked on another's root. */
interface Shape { mounts: number; groups: number; slaves: number; stacked: number }

function shapeOf(topology: Topology): Shape {
  const byId = new Map(topology.mounts.map((m) => [m.id, m]));
  return {
    mounts: topology.mounts.length,
    groups: new Set(topology.mounts.flatMap((m) => (m.group === null ? [] : [m.group]))).size,
    slaves: topology.mounts.filter((m) => m.master !== null).length,
    stacked: topology.mounts.filter((m) => m.parent !== null && byId.get(m.parent)!.mountPoint === m.mountPoint).length,
  };
}

/** A model that makes superblocks of every filesystem a restore creates afresh (proc, devpts...), and of sysfs, which the kernel scenarios mount. */
const freshModel = (): ModelNamespace => new ModelNamespace({ filesystems: [...FRESH_SUPERBLOCK_FILESYSTEMS, 'sysfs'] });

/** A model restore of `topology` at `into`, its externals held by a model host ('rw': the model keeps no kernel superblock options). */
function restoreOnModel(topology: Topology, into: string, staging: string, superOptions: OptionPolicy): { mounts: number; mountCalls: number } {
  const externals = madeUpExternals(topology);
  const copy = modelHost(topology, externals);
  copy.mkdir(into, { recursive: true });
  const { counts: { mountCalls } } = restore(copy, topology, { into, staging, externals, superOptions });
  return { mounts: topology.mounts.length, mountCalls };
}

function attempt(body: () => { mounts: number; mountCalls: number }): Outcome {
  try {
    return { ok: true, ...body() };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

const scenarios = JSON.parse(await readStdin()) as Record<string, string>;
const results = await withScratch((dir) => {
  const ns = new KernelNamespace();
  const out: Record<string, { failures: string[]; shape: Shape; kernel: Outcome; model: Outcome; modelToModel: Outcome }> = {};
  for (const [name, script] of Object.entries(scenarios)) {
    const [source, into, staging] = ['source', 'into', 'staging'].map((part) => join(dir, name, part)) as [string, string, string];
    ns.mkdir(source, { recursive: true });
    ns.mount('tmpfs', name, source);
    const built = runScenario(ns, script, { cwd: source });
    const topology = dump(parse(ns.mountinfo()), source, (path) => statInProcess('self', path));
    const kernel = attempt(() => {
      ns.mkdir(into, { recursive: true });
      const externals = externalsIn(parse(ns.mountinfo()), topology, [dir]);
      const { counts: { mountCalls } } = restore(ns, topology, { into, staging, externals });
      return { mounts: topology.mounts.length, mountCalls };
    });
    const model = attempt(() => restoreOnModel(topology, into, staging, 'rw'));
    const modelToModel = attempt(() => {
      const original = freshModel();
      original.mkdir(source, { recursive: true });
      original.mount('tmpfs', name, source);
      runScenario(original, script, { cwd: source });
      return restoreOnModel(dump(parse(original.mountinfo()), source, lookInModel(original)), into, staging, 'keep');
    });
    out[name] = { failures: built.failures.map((f) => `line ${f.line}: ${f.message}`), shape: shapeOf(topology), kernel, model, modelToModel };
  }
  return out;
});
process.stdout.write(JSON.stringify(results));
