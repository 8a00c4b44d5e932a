// restore: look at the places, plan, apply, dump the result, and compare it with the topology
// asked for. All or nothing: a restore either reproduces the topology, or fails and leaves the
// namespace as it found it (a refused step, or a result that differs, undoes every step).
import { diffMountinfo } from '../mountinfo/diff.js';
import { normalize, type OptionPolicy } from '../mountinfo/normalize.js';
import { parse } from '../mountinfo/parse.js';
import type { MountInfo } from '../mountinfo/types.js';
import type { MountNamespace } from '../core/namespace.js';
import { PlanApplication, type ApplyCounts, type ApplyOptions } from './apply.js';
import { dump } from './dump.js';
import { validatePlaces } from './arguments.js';
import { examinePlaces, holderIn, type Places } from './places.js';
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

export interface RestoreOptions extends Omit<PlanOptions, 'holdInto'>, ApplyOptions {
  /** How superblock options are compared (a model does not keep them: 'rw'). Default 'keep'. */
  superOptions?: OptionPolicy;
}

export interface RestoreResult {
  plan: Plan;
  /** What the restore found at --into and staging, and did about it. */
  places: Places;
  /** Calls made, by kind. */
  counts: ApplyCounts;
  /** The topology found at `into` afterwards. */
  restored: Topology;
}

/** A topology's mounts as mountinfo entries (mounts hanging from outside the dump get parent 0). */
export function topologyEntries(topology: Pick<Topology, 'mounts'>): MountInfo[] {
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

/** What a restore would do: its places looked at, its plan made for them, and every reason it must not start. */
export function prepareRestore(ns: MountNamespace, topology: Topology, options: RestoreOptions): { places: Places; plan: Plan; problems: string[] } {
  validatePlaces(options, [...PLAN_OPTIONS.filter((option) => option !== 'holdInto'), 'progress', 'superOptions']);
  const places = examinePlaces(ns, topology, options);
  const { into, staging, externals, ties } = options;
  const plan = planRestore(topology, { into, staging, ...(externals === undefined ? {} : { externals }), ...(ties === undefined ? {} : { ties }), holdInto: places.into.hold });
  return { places, plan, problems: [...plan.problems, ...places.problems] };
}

/** The restored mounts at `into`, read back (the private bind they sit on, when --into was held, left out). */
function restoredAt(ns: MountNamespace, into: string, held: boolean): Topology {
  const entries = parse(ns.mountinfo());
  const holder = held ? holderIn(entries, into) : undefined;
  return dump(holder ? entries.filter((entry) => entry !== holder) : entries, into);
}

/** Rebuilds `topology` at `options.into` on `ns` and checks the result; on any failure, nothing it did is left. */
export function restore(ns: MountNamespace, topology: Topology, options: RestoreOptions): RestoreResult {
  const { places, plan, problems } = prepareRestore(ns, topology, options);
  if (problems.length > 0) throw new RestoreRefusedError(problems);
  const application = new PlanApplication(ns, plan);
  try {
    const counts = application.run(options);
    const restored = restoredAt(ns, options.into, places.into.hold);
    const difference = compareTopologies(topology, restored, options.superOptions);
    if (difference) {
      application.undo();
      throw new RestoreMismatchError(difference);
    }
    return { plan, places, counts, restored };
  } finally {
    application.close();
  }
}
