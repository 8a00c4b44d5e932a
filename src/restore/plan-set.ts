// plan-set: how to rebuild a set of mount namespaces (a version 3 topology), each in a fresh mount
// namespace, as one plan whose every step runs in one process: the restoring process, whose staging
// directory holds every superblock and the seeds of the peer groups, or the process that works in
// one of the new namespaces.
//
// The set is planned as one topology by planRestore(): each namespace's mounts placed under
// `${into}/${name}`, with the set's ids and peer groups, so that a group with members in three
// namespaces is one group of the plan with one seed, and its members join it by set-group wherever
// they live. Each step then goes to the process it concerns:
// - a step under the staging directory, or on an --external path: the restoring process;
// - a step under `${into}/${name}`: the process in namespace `name`, its path moved to `into`;
// - a pin and its unpin: the process of the pinned mount's namespace.
// A mount is changed only from its own namespace (the kernel refuses --make-* and mounts on another
// namespace's mounts), but set-group takes a source from any namespace its caller may administer:
// it runs in the target's namespace and names a source of another as /proc/PID/root/PATH, or as
// /proc/PID/fd/N when the source is pinned (the processes in the new namespaces enter only their
// mount namespace, keeping the restoring process's user namespace, which owns them all).
//
// Before its tree is built, each namespace gets the superblocks its mounts use: a private tmpfs at
// the staging directory of that namespace and on it, at the same paths as in the restoring
// process's staging, detached copies of the superblocks' staging mounts (`attach`:
// open_tree(OPEN_TREE_CLONE) by the restoring process, move_mount(2) from /proc/PID/fd/N in the
// namespace), so that the tree's binds name the same staging paths there. That tmpfs is detached
// once the sharing is done, before the restoring process's staging.
import { InvariantError } from '../core/errors.js';
import { validatePlaces } from './arguments.js';
import { planRestore, superblockStagings, type External, type PlanStep, type Target } from './plan.js';
import { isAtOrUnder, TOPOLOGY_SCHEMA, TOPOLOGY_VERSION, type Topology, type TopologyMount, type TopologySet } from './topology.js';

/** A step of a set's plan: `by` the process of namespace `by`, or the restoring process (null); `from`, for a source of another process's namespace. */
export interface SetStep {
  by: string | null;
  step: PlanStep;
  /** Whose namespace a set-group's source, or an attach's copy, lies in, when it is not `by`'s. */
  from?: string | null;
}

export interface SetPlanOptions {
  /** Absolute directory each namespace's '/' (its dump's `under`) is rebuilt at, in that namespace. */
  into: string;
  /** Absolute directory for the staging tmpfs, in the restoring process's namespace and in each new one (outside `into`). */
  staging: string;
  /** Superblocks available to bind from, in the restoring process's namespace. */
  externals?: readonly External[];
}

export interface SetPlan {
  into: string;
  staging: string;
  /** The namespaces to make, in the document's order: their names, user namespaces and mounts. */
  namespaces: { name: string; user: string | null; mounts: number }[];
  steps: SetStep[];
  /** Why the set cannot be restored exactly; a plan with problems must not be applied. */
  problems: string[];
  /** How many mounts the plan rebuilds, in all namespaces. */
  mounts: number;
}

/** The options planRestoreSet() knows. */
export const SET_PLAN_OPTIONS: readonly string[] = ['into', 'staging', 'externals'];

/** Where a namespace's mount point lies in the set planned as one topology: under `/${name}`. */
const placedAt = (name: string, mountPoint: string): string => `/${name}${mountPoint === '/' ? '' : mountPoint}`;

/** The set as one topology: each namespace's mounts under `/${name}` (names are single words; ids are unique across the set). */
function asOneTopology(set: TopologySet): Topology {
  const mounts = set.namespaces.flatMap((ns) => ns.mounts.map((mount): TopologyMount => ({ ...mount, mountPoint: placedAt(ns.name, mount.mountPoint) })));
  return { schema: TOPOLOGY_SCHEMA, version: TOPOLOGY_VERSION, under: '/', mounts };
}

/** Gives each step of the one-topology plan to the process it concerns, its paths as that process names them. */
class StepOwners {
  /** The namespace of each pinned mount, by pin name. */
  readonly #pins = new Map<string, string | null>();

  constructor(readonly options: SetPlanOptions) {}

  /** Whose a path is, and the path there: `${into}/${name}/rest` is `${into}/rest` of namespace `name`; the rest is the restoring process's. */
  ownerOf(path: string): { by: string | null; path: string } {
    const { into } = this.options;
    if (!isAtOrUnder(path, into) || path === into) return { by: null, path };
    const [name, ...rest] = path.slice(into.length + 1).split('/');
    return { by: name!, path: rest.length === 0 ? into : `${into}/${rest.join('/')}` };
  }

  /** Whose a target is (a pin is its mount's), and the target there. */
  targetOwner(target: Target): { by: string | null; target: Target } {
    if (typeof target !== 'string') return { by: this.#pins.get(target.pin)!, target };
    const { by, path } = this.ownerOf(target);
    return { by, target: path };
  }

  /** One step, given to its process. */
  own(step: PlanStep): SetStep {
    switch (step.op) {
      case 'mkdir':
      case 'createFile': {
        const { by, path } = this.ownerOf(step.path);
        return { by, step: { ...step, path } };
      }
      case 'mount':
      case 'umount': {
        const { by, path } = this.ownerOf(step.target);
        return { by, step: { ...step, target: path } };
      }
      case 'remount':
      case 'propagation': {
        const { by, target } = this.targetOwner(step.target);
        return { by, step: { ...step, target } };
      }
      case 'bind':
      case 'attach': {
        const { by, path: target } = this.ownerOf(step.target);
        /* a namespace's staging mirrors the restoring process's: the same staging paths there */
        const source = isAtOrUnder(step.source, this.options.staging) ? { by, path: step.source } : this.ownerOf(step.source);
        if (source.by !== by) throw new InvariantError(`a bind of the set's plan crosses namespaces: ${step.source} onto ${step.target}`);
        return { by, step: { ...step, source: source.path, target } };
      }
      case 'pin': {
        const { by, path } = this.ownerOf(step.path);
        this.#pins.set(step.name, by);
        return { by, step: { ...step, path } };
      }
      case 'unpin':
        return { by: this.#pins.get(step.name)!, step };
      case 'setGroup': {
        const target = this.targetOwner(step.target);
        const source = this.targetOwner(step.source);
        const moved: SetStep = { by: target.by, step: { ...step, source: source.target, target: target.target } };
        return source.by === target.by ? moved : { ...moved, from: source.by };
      }
    }
  }
}

/** The steps that give namespace `name` the superblocks its mounts use: a private tmpfs at staging, with a copy of each superblock's staging mount. */
function transferSteps(name: string, keys: ReadonlySet<string>, stagings: ReadonlyMap<string, string>, staging: string): SetStep[] {
  const steps: PlanStep[] = [
    { op: 'mkdir', path: staging },
    { op: 'mount', fsType: 'tmpfs', source: 'mount-set-group-staging', target: staging, flags: [], data: 'mode=700' },
    { op: 'propagation', type: 'private', target: staging },
  ];
  for (const key of keys) {
    const path = stagings.get(key)!;
    steps.push({ op: 'mkdir', path }, { op: 'attach', source: path, target: path });
  }
  return steps.map((step) => (step.op === 'attach' ? { by: name, step, from: null } : { by: name, step }));
}

/** The plan that rebuilds every namespace of `set`, each at `options.into` in a new mount namespace. */
export function planRestoreSet(set: TopologySet, options: SetPlanOptions): SetPlan {
  validatePlaces(options, SET_PLAN_OPTIONS);
  const { into, staging } = options;
  const whole = asOneTopology(set);
  const plan = planRestore(whole, { into, staging, ...(options.externals === undefined ? {} : { externals: options.externals }) });
  const owners = new StepOwners(options);
  const owned = plan.steps.map((step) => owners.own(step));
  const stagings = superblockStagings(whole.mounts, staging);
  /* the namespaces get their superblocks once the restoring process has made them all, and let go of them before it does */
  const finalUmount = owned.findLastIndex((step) => step.by === null && step.step.op === 'umount');
  const firstInNamespace = Math.min(finalUmount, ...[owned.findIndex((step) => step.by !== null)].filter((i) => i >= 0));
  const transfers = set.namespaces.flatMap((ns) => transferSteps(ns.name, new Set(ns.mounts.map((mount) => mount.superblock)), stagings, staging));
  const releases = set.namespaces.map((ns): SetStep => ({ by: ns.name, step: { op: 'umount', target: staging } }));
  const steps = [...owned.slice(0, firstInNamespace), ...transfers, ...owned.slice(firstInNamespace, finalUmount), ...releases, ...owned.slice(finalUmount)];
  return {
    into,
    staging,
    namespaces: set.namespaces.map((ns) => ({ name: ns.name, user: ns.user, mounts: ns.mounts.length })),
    steps,
    problems: plan.problems,
    mounts: plan.mounts,
  };
}
