// Test child (runs under unshare -m --propagation private, on a scratch tmpfs): builds the scenario
// on stdin on the kernel, dumps it, and restores the dump again and again, each time with a
// failure injected at the next call the restore makes (failing.ts), until a run makes every call;
// after each failed run the namespace's mountinfo and the directories under the restore's places
// must be exactly what they were before it. Twice: where --into and staging lie in a private
// mount, and on a shared-root host (mount --make-rshared / in this namespace) with a peer of the
// mount that holds them, whose copies are in the same mountinfo. Also a restore whose result
// differs from its topology: undone as well.
import { execFileSync } from 'node:child_process';
import { readdirSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { KernelNamespace } from '../../../src/kernel/namespace.js';
import { parse } from '../../../src/mountinfo/parse.js';
import { readStdin } from '../../../src/process/child.js';
import { withScratch } from '../../../src/process/scratch.js';
import { dump } from '../../../src/restore/dump.js';
import { restore } from '../../../src/restore/restore.js';
import type { Topology } from '../../../src/restore/topology.js';
import { runScenario } from '../../../src/scenario/run.js';
import { failingAt, type Injection } from '../support/failing.js';

export interface InjectedRun {
  at: number;
  error?: { name: string; code?: string; message: string; leftBehind?: string[] };
  /** What differs from before: the mountinfo lines and directories added or gone. */
  difference?: { mountinfo: string[]; directories: string[] };
}

export interface LayoutReport {
  steps: number;
  calls: number;
  /** How many injected runs ended as RestoreStepError with nothing left behind and nothing changed. */
  clean: number;
  /** The others, in full. */
  unclean: InjectedRun[];
  held: boolean;
}

const ns = new KernelNamespace();

/** Every path under `dir` (directories and files, not following links), sorted. */
function tree(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
}

function difference(before: string[], after: string[]): string[] {
  const [was, is] = [new Set(before), new Set(after)];
  return [...before.filter((line) => !is.has(line)).map((line) => `- ${line}`), ...after.filter((line) => !was.has(line)).map((line) => `+ ${line}`)];
}

/** What a failed restore must leave as it found it. */
function snapshot(base: string): { mountinfo: string; directories: string[] } {
  return { mountinfo: ns.mountinfo(), directories: tree(base) };
}

/** Takes down a restore that succeeded: the stack at --into, and the directories it made. */
function takeDown(into: string, made: string[]): void {
  for (;;) {
    try {
      ns.umount(into, { lazy: true });
    } catch {
      break; // not a mount point any more
    }
  }
  for (const directory of made) rmdirSync(directory);
}

function layout(topology: Topology, base: string): LayoutReport {
  const [into, staging] = [join(base, 'x', 'into'), join(base, 'staging')];
  const places = { into, staging };
  const full: Injection = { failAt: Infinity, calls: 0 };
  const { plan, places: decided } = restore(failingAt(ns, full), topology, places);
  takeDown(into, [join(base, 'x', 'into'), join(base, 'x')]);
  const report: LayoutReport = { steps: plan.steps.length, calls: full.calls, clean: 0, unclean: [], held: decided.into.hold };
  for (let at = 0; at < full.calls; at++) {
    const before = snapshot(base);
    const run: InjectedRun = { at };
    try {
      restore(failingAt(ns, { failAt: at, calls: 0 }), topology, places);
    } catch (caught) {
      const error = caught as Error & { code?: string; leftBehind?: string[] };
      run.error = { name: error.name, code: error.code, message: error.message, leftBehind: error.leftBehind };
    }
    const after = snapshot(base);
    if (after.mountinfo !== before.mountinfo || after.directories.join('\n') !== before.directories.join('\n')) {
      run.difference = { mountinfo: difference(before.mountinfo.split('\n'), after.mountinfo.split('\n')), directories: difference(before.directories, after.directories) };
    }
    if (run.difference === undefined && run.error?.name === 'RestoreStepError' && run.error.leftBehind?.length === 0) report.clean++;
    else report.unclean.push(run);
  }
  return report;
}

const script = await readStdin();
const result = await withScratch((dir) => {
  const source = join(dir, 'source');
  ns.mkdir(source);
  ns.mount('tmpfs', 'source', source);
  runScenario(ns, script, { cwd: source }); // a generated scenario: some lines are refused, as generated
  const topology = dump(parse(ns.mountinfo()), source);

  const privateBase = join(dir, 'private');
  ns.mkdir(privateBase);
  const onPrivate = layout(topology, privateBase);

  // A shared-root host: everything shared, and a peer of the mount --into and staging lie in.
  execFileSync('mount', ['--make-rshared', '/']);
  const [work, peer] = [join(dir, 'work'), join(dir, 'peer')];
  ns.mkdir(work);
  ns.mkdir(peer);
  ns.bind(work, peer);
  const onSharedRoot = layout(topology, work);

  // A result that differs from the topology (one mount's source changed: the restore gives it its
  // superblock's): RestoreMismatchError, and nothing left.
  const second = topology.mounts.findIndex((mount, i) => topology.mounts.slice(0, i).some((earlier) => earlier.superblock === mount.superblock));
  const lying: Topology = { ...topology, mounts: topology.mounts.map((mount, i) => (i === second ? { ...mount, source: 'not-its-source' } : mount)) };
  const before = snapshot(work);
  let mismatch: { name: string; message: string } | undefined;
  try {
    restore(ns, lying, { into: join(work, 'x', 'into'), staging: join(work, 'staging') });
  } catch (caught) {
    mismatch = { name: (caught as Error).name, message: (caught as Error).message };
  }
  const after = snapshot(work);
  const mismatchLeft = { mountinfo: difference(before.mountinfo.split('\n'), after.mountinfo.split('\n')), directories: difference(before.directories, after.directories) };

  return { mounts: topology.mounts.length, onPrivate, onSharedRoot, mismatch, mismatchLeft };
});
process.stdout.write(JSON.stringify(result));
