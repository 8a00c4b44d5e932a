// restore-set: rebuild a set of mount namespaces (a version 3 topology) on a MountSystem, each
// document namespace in a fresh mount namespace, and check the result. All or nothing, as restore:
// a refused step, or a result that differs, undoes every step in every namespace and ends the
// processes the restore started, so that nothing it made is left.
//
// The namespaces: one holder per document namespace (unshare -m --propagation private, of the
// restoring process's namespace), in a new user namespace where the document names one (unshare -U
// -m for the first namespace of that user namespace; the others unshare -m from inside it, through
// nsenter -U), and one process in each that makes the namespace's steps (nsenter -m: the restoring
// process's user namespace, which owns every new one, so that set-group may join mounts of any two).
// The holders outlive the restore: the result names them, and killing one ends its namespace.
import { diffMountinfo } from '../mountinfo/diff.js';
import { normalizeTogether, type OptionPolicy } from '../mountinfo/normalize.js';
import { parse } from '../mountinfo/parse.js';
import type { MountShell, MountProcess, MountSystem } from '../core/system.js';
import { formatStep, kindOf, PlanApplication, RestoreStepError, type ApplyCounts, type ApplyOptions } from './apply.js';
import { validatePlaces } from './arguments.js';
import { dumpSet } from './dump.js';
import { examinePlaces } from './places.js';
import { planRestoreSet, SET_PLAN_OPTIONS, type SetPlan, type SetPlanOptions, type SetStep } from './plan-set.js';
import { RestoreMismatchError, RestoreRefusedError, topologyEntries } from './restore.js';
import { TOPOLOGY_SCHEMA, TOPOLOGY_VERSION, type TopologySet } from './topology.js';

export interface RestoreSetOptions extends SetPlanOptions, ApplyOptions {
  /** How superblock options are compared (a model does not keep them: 'rw'). Default 'keep'. */
  superOptions?: OptionPolicy;
}

/** A restored namespace: the document's name and user namespace, the process that holds it, and how to enter it. */
export interface RestoredNamespace {
  name: string;
  user: string | null;
  /** unshare(1)'s process: it holds the namespace (and its user namespace) until it is killed. */
  holder: MountProcess;
  /** The command that enters it (as root of the restoring process's user namespace). */
  enter: string;
}

export interface RestoreSetResult {
  plan: SetPlan;
  namespaces: RestoredNamespace[];
  /** Calls made, by kind, in every namespace (an attach counts its open_tree and its move_mount). */
  counts: ApplyCounts;
  /** The set dumped back from the restored namespaces (each under `into`). */
  restored: TopologySet;
}

/** What a restore of `set` would do: its plan, and every reason it must not start (the places looked at in the restoring process's namespace, which every new one copies). */
export function prepareRestoreSet(shell: MountShell, set: TopologySet, options: RestoreSetOptions): { plan: SetPlan; problems: string[] } {
  validatePlaces(options, [...SET_PLAN_OPTIONS, 'progress', 'superOptions']);
  const { into, staging, externals } = options;
  const plan = planRestoreSet(set, { into, staging, ...(externals === undefined ? {} : { externals }) });
  const places = set.namespaces.flatMap((ns) => examinePlaces(shell, { schema: TOPOLOGY_SCHEMA, version: TOPOLOGY_VERSION, ...ns }, { into, staging }).problems);
  return { plan, problems: [...plan.problems, ...new Set(places)] };
}

/** The user namespaces of a set named in order of first appearance, so that two sets compare by how their namespaces share them. */
function userPattern(set: TopologySet): (number | null)[] {
  const order = new Map<string, number>();
  return set.namespaces.map((ns) => (ns.user === null ? null : order.get(ns.user) ?? order.set(ns.user, order.size).get(ns.user)!));
}

/** Where two sets differ (namespaces, their user namespaces, or their mounts once numbered together); undefined if nowhere. */
export function compareTopologySets(expected: TopologySet, actual: TopologySet, superOptions: OptionPolicy = 'keep'): string | undefined {
  const names = (set: TopologySet) => set.namespaces.map((ns) => ns.name).join(', ');
  if (names(expected) !== names(actual)) return `the namespaces differ:\n  expected: ${names(expected)}\n  actual:   ${names(actual)}`;
  const users = (set: TopologySet) => userPattern(set).map((user, i) => `${set.namespaces[i]!.name}:${user === null ? 'own' : `u${user + 1}`}`).join(' ');
  if (users(expected) !== users(actual)) return `the user namespaces differ:\n  expected: ${users(expected)}\n  actual:   ${users(actual)}`;
  const form = (set: TopologySet) => normalizeTogether(set.namespaces.map(topologyEntries), { order: 'tree', superOptions });
  const [before, after] = [form(expected), form(actual)];
  for (const [i, ns] of expected.namespaces.entries()) {
    const difference = diffMountinfo(before[i]!, after[i]!);
    if (difference) return `namespace '${ns.name}': ${difference}`;
  }
  return undefined;
}

/** One restore of a set: the processes it started, the application of each process's steps, and how to take it all back. */
class SetRestore {
  readonly holders = new Map<string, MountProcess>();
  readonly shells = new Map<string, MountShell>();
  readonly applications = new Map<string | null, PlanApplication>();
  readonly counts: ApplyCounts = { steps: 0, mountCalls: 0, mkdirs: 0, pins: 0 };

  constructor(readonly system: MountSystem, readonly plan: SetPlan) {
    this.applications.set(null, new PlanApplication(system.init, this.emptyPlan()));
  }

  emptyPlan() {
    return { into: this.plan.into, staging: this.plan.staging, steps: [], problems: [], mounts: 0 };
  }

  /** A holder per namespace, in a user namespace of its own where the document names one (shared by the namespaces that name the same), and a process in each. */
  start(): void {
    const { system } = this;
    const firstOfUser = new Map<string, MountProcess>();
    for (const { name, user } of this.plan.namespaces) {
      let holder: MountProcess;
      if (user === null) holder = system.unshare(system.init, '/');
      else if (!firstOfUser.has(user)) firstOfUser.set(user, (holder = system.unshare(system.init, '/', { user: true })));
      else holder = this.unshareInside(firstOfUser.get(user)!);
      this.holders.set(name, holder);
      const shell = system.nsenter(system.init, holder, { mount: true, user: false });
      this.shells.set(name, shell);
      this.applications.set(name, new PlanApplication(shell, this.emptyPlan()));
    }
  }

  /** A new mount namespace owned by the user namespace `owner` holds: unshare -m, run inside that user namespace. */
  unshareInside(owner: MountProcess): MountProcess {
    const inside = this.system.nsenter(this.system.init, owner, { mount: false, user: true });
    try {
      return this.system.unshare(inside, '/');
    } finally {
      this.system.kill(inside);
    }
  }

  /** The pid whose /proc entries reach the namespace of `owner` (null: the restoring process). */
  pidOf(owner: string | null): number {
    return owner === null ? this.system.init.pid : this.shells.get(owner)!.pid;
  }

  /** Applies one step in its process: an attach takes the copy its source names, a set-group across namespaces names its source through /proc. */
  apply({ by, step, from }: SetStep): void {
    const application = this.applications.get(by)!;
    if (step.op === 'attach') {
      const copy = this.system.init.cloneDetached(step.source);
      this.counts.mountCalls++;
      try {
        application.apply({ ...step, source: `/proc/${this.pidOf(null)}/fd/${copy.handle}` });
      } finally {
        this.system.init.unpin(copy);
      }
    } else if (step.op === 'setGroup' && from !== undefined) {
      const pid = this.pidOf(from);
      const { source } = step;
      const across = typeof source === 'string' ? `/proc/${pid}/root${source}` : `/proc/${pid}/fd/${this.applications.get(from)!.pinned(source.pin)!.handle}`;
      application.apply({ ...step, source: across });
    } else {
      application.apply(step);
    }
    this.counts[kindOf(step)]++;
    this.counts.steps++;
  }

  /** The restored namespaces, dumped back under `into`. */
  dumpBack(): TopologySet {
    const processes = this.plan.namespaces.map(({ name }) => {
      const holder = this.holders.get(name)!;
      return { name, namespaceIds: holder.namespaceIds(), entries: parse(holder.mountinfo()) };
    });
    return dumpSet(processes, { under: this.plan.into, ownUser: this.system.init.namespaceIds().user });
  }

  /** Takes back every step, the namespaces' first (their directories live on in the restoring process's filesystems), then ends every process started; returns what could not be undone. */
  undo(): string[] {
    const leftBehind: string[] = [];
    for (const [by, application] of [...this.applications].reverse()) leftBehind.push(...application.undo().map((what) => (by === null ? what : `${by}: ${what}`)));
    this.close();
    for (const holder of this.holders.values()) this.system.kill(holder);
    return leftBehind;
  }

  /** Lets go of every handle and ends the processes that made the steps (the holders stay). */
  close(): void {
    for (const application of this.applications.values()) application.close();
    this.applications.clear();
    for (const shell of this.shells.values()) this.system.kill(shell);
    this.shells.clear();
  }
}

/**
 * Rebuilds every namespace of `set` in a new mount namespace of `system`, each at `options.into`
 * there, joins the peer groups and masters that span them with set-group, and checks the result by
 * dumping it back; on any failure, nothing it made is left and every process it started has ended.
 */
export function restoreSet(system: MountSystem, set: TopologySet, options: RestoreSetOptions): RestoreSetResult {
  const { plan, problems } = prepareRestoreSet(system.init, set, options);
  if (problems.length > 0) throw new RestoreRefusedError(problems);
  const restore = new SetRestore(system, plan);
  try {
    restore.start();
  } catch (error) {
    restore.undo();
    throw error;
  }
  plan.steps.forEach((step, i) => {
    try {
      restore.apply(step);
    } catch (error) {
      throw new RestoreStepError(i, `${step.by ?? 'restoring process'}: ${formatStep(step.step)}`, error, restore.undo());
    }
    options.progress?.(i + 1, plan.steps.length);
  });
  const restored = restore.dumpBack();
  const difference = compareTopologySets(set, restored, options.superOptions);
  if (difference) {
    restore.undo();
    throw new RestoreMismatchError(difference);
  }
  for (const application of restore.applications.values()) application.done();
  restore.close();
  const namespaces = plan.namespaces.map(({ name, user }) => {
    const holder = restore.holders.get(name)!;
    return { name, user, holder, enter: `nsenter -t ${holder.pid} -m${user === null ? '' : ' -U'}` };
  });
  return { plan, namespaces, counts: restore.counts, restored };
}
