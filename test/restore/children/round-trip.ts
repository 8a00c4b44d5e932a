// Test child (runs under unshare -m --propagation private): for each scenario on stdin, build it
// on the kernel in a fresh directory, dump it, restore the dump into another directory — on the
// kernel and on the model — and report whether each restore reproduced the topology.
import { join } from 'node:path';
import { readStdin } from '../../../src/process/child.js';
import { KernelNamespace } from '../../../src/kernel/namespace.js';
import { withScratch } from '../../../src/process/scratch.js';
import { ModelNamespace } from '../../../src/model/index.js';
import { parse } from '../../../src/mountinfo/parse.js';
import { dump } from '../../../src/restore/dump.js';
import type { Topology } from '../../../src/restore/topology.js';
import { PSEUDO_FILESYSTEMS } from '../../../src/restore/plan.js';
import { restore } from '../../../src/restore/restore.js';
import { runScenario } from '../../../src/scenario/run.js';

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

/** A model that makes superblocks of every filesystem a restore creates afresh (proc, sysfs, devpts...). */
const freshModel = (): ModelNamespace => new ModelNamespace({ filesystems: [...PSEUDO_FILESYSTEMS] });

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
    const topology = dump(parse(ns.mountinfo()), source);
    const kernel = attempt(() => {
      ns.mkdir(into, { recursive: true });
      const { counts: { mountCalls } } = restore(ns, topology, { into, staging });
      return { mounts: topology.mounts.length, mountCalls };
    });
    const model = attempt(() => {
      const copy = freshModel();
      copy.mkdir(into, { recursive: true });
      const { counts: { mountCalls } } = restore(copy, topology, { into, staging, superOptions: 'rw' });
      return { mounts: topology.mounts.length, mountCalls };
    });
    const modelToModel = attempt(() => {
      const original = freshModel();
      original.mkdir(source, { recursive: true });
      original.mount('tmpfs', name, source);
      runScenario(original, script, { cwd: source });
      const modelTopology = dump(parse(original.mountinfo()), source);
      const copy = freshModel();
      copy.mkdir(into, { recursive: true });
      const { counts: { mountCalls } } = restore(copy, modelTopology, { into, staging });
      return { mounts: modelTopology.mounts.length, mountCalls };
    });
    out[name] = { failures: built.failures.map((f) => `line ${f.line}: ${f.message}`), shape: shapeOf(topology), kernel, model, modelToModel };
  }
  return out;
});
process.stdout.write(JSON.stringify(results));
