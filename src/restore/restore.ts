// restore: plan, apply, dump the result, and compare it with the topology asked for. Any
// difference is a failure: a restore either reproduces the topology or says where it did not.
import { MountError } from '../core/errors.js';
import { diffMountinfo } from '../mountinfo/diff.js';
import { normalize, type OptionPolicy } from '../mountinfo/normalize.js';
import { parse } from '../mountinfo/parse.js';
import type { MountInfo } from '../mountinfo/types.js';
import type { MountNamespace } from '../core/namespace.js';
import { applyPlan, pathsOf, type ApplyCounts, type ApplyOptions } from './apply.js';
import { dump } from './dump.js';
import { validatePlaces } from './arguments.js';
import { PLAN_OPTIONS, planRestore, type Plan, type PlanOptions } from './plan.js';
import type { Topology } from './topology.js';

/** The plan names things that cannot be restored exactly; nothing was done. */
export class RestoreRefusedError extends Error {
  override name = 'RestoreRefusedError';
  readonly code = 'ERR_RESTORE_REFUSED';
  readonly problems: string[];

  constructor(problems: string[]) {
    super(`cannot restore this topology exactly: ${problems.join('; ')}`);
    this.problems = problems;
  }
}

/** The restored namespace differs from the topology asked for; `difference` shows where, in full. */
export class RestoreMismatchError extends Error {
  override name = 'RestoreMismatchError';
  readonly code = 'ERR_RESTORE_MISMATCH';
  readonly difference: string;

  constructor(difference: string) {
    const [, expected, actual] = difference.split('\n').map((line) => line.trim());
    super(`the restored mounts differ from the topology (normalized mountinfo, ${expected}; ${actual})`);
    this.difference = difference;
  }
}

export interface RestoreOptions extends PlanOptions, ApplyOptions {
  /** How superblock options are compared (a model does not keep them: 'rw'). Default 'keep'. */
  superOptions?: OptionPolicy;
}

export interface RestoreResult {
  plan: Plan;
  /** Calls made, by kind. */
  counts: ApplyCounts;
  /** The topology found at `into` afterwards. */
  restored: Topology;
}

/** A topology's mounts as mountinfo entries (mounts hanging from outside the dump get parent 0). */
export function topologyEntries(topology: Topology): MountInfo[] {
  return topology.mounts.map((mount) => {
    const [major, minor] = mount.superblock.split(':').map(Number) as [number, number];
    const entry: MountInfo = {
      id: mount.id, parentId: mount.parent ?? 0, major, minor, root: mount.root, mountPoint: mount.mountPoint,
      mountOptions: mount.mountOptions, unbindable: mount.unbindable, otherOptional: [],
      fsType: mount.fsType, source: mount.source, superOptions: mount.superOptions,
    };
    if (mount.group !== null) entry.shared = mount.group;
    if (mount.master !== null) entry.master = mount.master;
    if (mount.propagateFrom !== null) entry.propagateFrom = mount.propagateFrom;
    return entry;
  });
}

/** Where two topologies differ, once ids, groups and devices are renumbered; undefined if nowhere. */
export function compareTopologies(expected: Topology, actual: Topology, superOptions: OptionPolicy = 'keep'): string | undefined {
  const form = (topology: Topology) => normalize(topologyEntries(topology), { order: 'tree', superOptions });
  return diffMountinfo(form(expected), form(actual));
}

/**
 * Why `plan` must not be applied: its own problems, and every path the guard refuses as things stand
 * now (a symbolic link planted under `into`), found before anything is done. What the steps
 * themselves bring in (a link inside an external bind) the guard refuses again as they run.
 */
export function refusals(plan: Plan, guard: ApplyOptions['guard']): string[] {
  if (guard === undefined) return plan.problems;
  const refused = new Set<string>();
  for (const path of plan.steps.flatMap(pathsOf)) {
    try {
      guard.check(path);
    } catch (error) {
      if (!(error instanceof MountError)) throw error;
      refused.add(error.reason === undefined ? error.message : `${error.message}: ${error.reason}`);
    }
  }
  return [...plan.problems, ...refused];
}

/** Rebuilds `topology` at `options.into` on `ns` and checks the result. */
export function restore(ns: MountNamespace, topology: Topology, options: RestoreOptions): RestoreResult {
  validatePlaces(options, [...PLAN_OPTIONS, 'guard', 'progress', 'superOptions']);
  const { into, staging, externals } = options;
  const plan = planRestore(topology, externals === undefined ? { into, staging } : { into, staging, externals });
  const problems = refusals(plan, options.guard);
  if (problems.length > 0) throw new RestoreRefusedError(problems);
  const counts = applyPlan(ns, plan, options);
  const restored = dump(parse(ns.mountinfo()), options.into);
  const difference = compareTopologies(topology, restored, options.superOptions);
  if (difference) throw new RestoreMismatchError(difference);
  return { plan, counts, restored };
}
