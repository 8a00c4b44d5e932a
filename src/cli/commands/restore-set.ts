// restore of a set of mount namespaces (a document `dump --pid A --pid B` wrote): each namespace
// rebuilt in a new one, held by a process that outlives the command (kernel), the groups and masters
// that span them joined with set-group; the result dumped back and compared with the document.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliExit } from '../errors.js';
import type { MountSystem } from '../../core/system.js';
import { ModelSystem } from '../../model/index.js';
import { namespaceOf } from '../../process/namespaces.js';
import { formatStep } from '../../restore/apply.js';
import type { External } from '../../restore/plan.js';
import { prepareRestoreSet, restoreSet, type RestoreSetResult } from '../../restore/restore-set.js';
import type { TopologySet } from '../../restore/topology.js';
import { KernelSystem } from '../../scenario/kernel-system.js';

export interface RestoreSetCliOptions {
  into: string;
  staging: string;
  backend: 'kernel' | 'model';
  externals: External[];
  dryRun?: boolean;
  json?: boolean;
  progress?: (done: number, total: number) => void;
}

/** The system a set is restored on: this process and the processes it starts (kernel), or a fresh model. */
function systemFor(backend: 'kernel' | 'model'): { system: MountSystem; end: () => void } {
  if (backend === 'model') return { system: new ModelSystem(), end: () => {} };
  const dir = mkdtempSync(join(tmpdir(), 'mount-set-group-restore-'));
  const system = new KernelSystem({ dir, setGroupMethod: 'auto', forbidden: namespaceOf('self', 'mnt') });
  return {
    system,
    end: () => {
      system.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The plan of a set: the namespaces it makes, then each step with the process it runs in. */
function printSetPlan(system: MountSystem, set: TopologySet, options: RestoreSetCliOptions): void {
  const { into, staging, externals } = options;
  const { plan, problems } = prepareRestoreSet(system.init, set, { into, staging, externals });
  if (options.json) process.stdout.write(`${JSON.stringify({ ...plan, problems })}\n`);
  else {
    process.stdout.write(`# plan: restore ${plan.mounts} mounts of ${plan.namespaces.length} mount namespaces, each at ${plan.into} in a new one, in ${plan.steps.length} steps\n`);
    for (const { name, user } of plan.namespaces) {
      process.stdout.write(`# ${name}: unshare -m${user === null ? '' : ` -U (user namespace ${user})`} --propagation private; its steps run in it (nsenter -m)\n`);
    }
    process.stdout.write('# a step that fails undoes every step before it, and ends every process the restore started\n');
    for (const { by, step, from } of plan.steps) {
      process.stdout.write(`${by ?? '-'}: ${formatStep(step)}${from === undefined ? '' : `  # source in ${from ?? 'this namespace'}`}\n`);
    }
    for (const problem of problems) process.stderr.write(`cannot restore: ${problem}\n`);
  }
  if (problems.length > 0) throw new CliExit(1);
}

/** What a restore of a set did, and how to enter each namespace. */
function printOutcome(result: RestoreSetResult, options: RestoreSetCliOptions): void {
  const { mountCalls, mkdirs } = result.counts;
  const mounts = result.plan.mounts;
  const callsPerMount = Number((mountCalls / Math.max(1, mounts)).toFixed(2));
  const kept = options.backend === 'kernel';
  const namespaces = result.namespaces.map(({ name, user, holder, enter }) => ({ name, user, pid: kept ? holder.pid : null, enter: kept ? enter : null }));
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ namespaces, mounts, mountCalls, mkdirs, callsPerMount, backend: options.backend, into: options.into })}\n`);
    return;
  }
  process.stdout.write(
    `restored ${mounts} mounts in ${namespaces.length} mount namespaces at ${options.into} (${options.backend}): ${mountCalls} mount calls (${callsPerMount} a mount) and ${mkdirs} mkdirs; the result matches the set\n`,
  );
  for (const ns of namespaces) {
    process.stdout.write(kept ? `  ${ns.name}: held by process ${ns.pid}; enter it with ${ns.enter}; kill ${ns.pid} ends it\n` : `  ${ns.name}: restored in the model\n`);
  }
}

/** restore SET.json: the plan (--dry-run), or the restore and its outcome. */
export function restoreSetCommand(set: TopologySet, options: RestoreSetCliOptions): void {
  const { system, end } = systemFor(options.backend);
  try {
    if (options.dryRun) return printSetPlan(system, set, options);
    const { into, staging, externals, progress } = options;
    const result = restoreSet(system, set, { into, staging, externals, ...(progress ? { progress } : {}), ...(options.backend === 'model' ? { superOptions: 'rw' as const } : {}) });
    if (system instanceof KernelSystem) for (const ns of result.namespaces) system.release(ns.holder);
    printOutcome(result, options);
  } finally {
    end();
  }
}
