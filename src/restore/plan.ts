// plan: how to rebuild a dumped topology in a fresh place, in the direct manner the set-group
// proposal describes, as data that can be printed, dry-run, and applied to either backend.
//
// Phases:
// 0. places: with `holdInto`, --into first becomes a private bind of itself, so that nothing the
//    restore mounts there propagates to the peers (or receives from the master) of the mount that
//    holds it (restore.ts decides when: places.ts);
// 1. superblocks: each created once, under a staging tmpfs made private at once — a new mount for tmpfs, proc,
//    sysfs and other pseudo filesystems; a bind from an available external mount for the rest;
// 2. tree: every mount as a private bind of its superblock's staging mount (root and all), parents
//    before children; among siblings, a mount on a path under another's mount point first, so that
//    nothing is mounted under a path already covered. A mount that something later covers is
//    pinned (held by reference) as soon as it exists, so the later phases can still reach it.
//    A bind has the per-mount flags of what it binds: each superblock's staging mount is given the
//    flags most of its mounts have (read-only aside), so that most binds come out right;
// 3. flags: once every mount point has been made, each mount whose flags the bind did not give it
//    (read-only ones among them) gets them with one bind remount;
// 4. sharing: nothing propagates while the tree is built because everything is private. Then, per
//    peer group, masters before slaves: a seed (a bind of the superblock's root, which contains
//    every member's root) becomes shared — as a slave of its master's seed first, if it has one —
//    and set-group puts each member into the seed's group. Slaves that are in no group join
//    through a slave seed of their master. Unbindable mounts are marked last;
// 5. cleanup: the staging tmpfs, with every superblock mount and seed, is detached; the members
//    keep their groups (the kernel moves slaves of a leaving peer to a remaining one).
//
// What cannot be restored is reported in `problems`, never restored wrongly.
import { posix } from 'node:path';
import { groupBy } from '../core/group-by.js';
import { validatePlaces } from './arguments.js';
import { MOUNT_FLAGS, type MountFlag, type Propagation } from '../core/namespace.js';
import { isAtOrUnder, type Topology, type TopologyMount } from './topology.js';

/** A mount named by path, or by the name it was pinned under (`@name` when printed). */
export type Target = string | { pin: string };

export type PlanStep =
  | { op: 'mkdir'; path: string }
  | { op: 'mount'; fsType: string; source: string; target: string; flags: readonly MountFlag[]; data: string }
  | { op: 'remount'; target: Target; flags: readonly MountFlag[] }
  | { op: 'bind'; source: string; target: string }
  | { op: 'pin'; name: string; path: string }
  | { op: 'propagation'; type: Propagation; target: Target }
  | { op: 'setGroup'; source: Target; target: Target }
  | { op: 'umount'; target: string }
  | { op: 'unpin'; name: string };

/** Where a superblock that cannot be created afresh is available: `path` shows its directory `root`. */
export interface External {
  superblock: string;
  root: string;
  path: string;
}

export interface PlanOptions {
  /** Absolute directory the dump's '/' is rebuilt at. */
  into: string;
  /** Absolute directory for the staging tmpfs (outside `into`). */
  staging: string;
  /** Superblocks available to bind from (for filesystems that cannot be mounted afresh). */
  externals?: readonly External[];
  /** Build on a private bind of `into` onto itself (it lies in a shared or slave mount). */
  holdInto?: boolean;
}

export interface Plan {
  into: string;
  staging: string;
  steps: PlanStep[];
  /** Why the topology cannot be restored exactly; a plan with problems must not be applied. */
  problems: string[];
  /** How many mounts the plan rebuilds. */
  mounts: number;
}

/**
 * Filesystems a new mount recreates (their content is not the point, or comes from the kernel), and
 * whose new mount cannot change a superblock other mounts already show. Left out on purpose: the
 * one-superblock-per-system ones that apply a new mount's options to the existing superblock
 * (debugfs, tracefs: mode, uid, gid; pstore: read-only too; cgroup2: nsdelegate...), securityfs,
 * configfs, fusectl, binfmt_misc — those are bound from a mount of them named with --external.
 */
export const PSEUDO_FILESYSTEMS: ReadonlySet<string> = new Set(['tmpfs', 'ramfs', 'proc', 'sysfs', 'mqueue', 'devpts', 'hugetlbfs', 'bpf', 'cgroup']);

/** One superblock of the dump and how the plan gets hold of it. */
interface Superblock {
  key: string;
  staging: string;
  first: TopologyMount;
  external?: External;
  /** The per-mount flags of its staging mount, which every bind of it starts with. */
  flags: MountFlag[];
}

/** The per-mount flags a mount's mountinfo options show, and the words among them no flag sets. */
interface ShownFlags {
  flags: MountFlag[];
  unknown: string[];
}

/**
 * The flags that give a mount the per-mount options mountinfo shows (field 6: "ro,nosuid,relatime"),
 * its atime named so that a remount replaces it: relatime or noatime as shown, strictatime when
 * neither is. Words no flag sets (idmapped) are returned apart.
 */
export function flagsShown(mountOptions: string): ShownFlags {
  const [state, ...words] = mountOptions.split(',');
  const shown = new Set<string>(state === 'ro' ? ['ro'] : []);
  const unknown: string[] = state === 'ro' || state === 'rw' ? [] : [state!];
  for (const word of words) {
    if (word !== 'ro' && word !== 'strictatime' && (MOUNT_FLAGS as readonly string[]).includes(word)) shown.add(word);
    else unknown.push(word);
  }
  if (!shown.has('noatime') && !shown.has('relatime')) shown.add('strictatime');
  return { flags: MOUNT_FLAGS.filter((flag) => shown.has(flag)), unknown };
}

const sameFlags = (a: readonly MountFlag[], b: readonly MountFlag[]): boolean => a.join() === b.join();

/** The flags most of `mounts` show, read-only aside (mount points are made through binds of the staging mount); ties go to the first. */
function commonFlags(mounts: readonly TopologyMount[]): MountFlag[] {
  const counts = new Map<string, { flags: MountFlag[]; count: number }>();
  for (const mount of mounts) {
    const flags = flagsShown(mount.mountOptions).flags.filter((flag) => flag !== 'ro');
    const seen = counts.get(flags.join()) ?? { flags, count: 0 };
    seen.count++;
    counts.set(flags.join(), seen);
  }
  let best: { flags: MountFlag[]; count: number } | undefined;
  for (const candidate of counts.values()) if (best === undefined || candidate.count > best.count) best = candidate;
  return best!.flags;
}

function join(dir: string, path: string): string {
  return path === '/' ? dir : posix.join(dir, path);
}

/** How many components a mount point has ('/' none). */
const depthOf = (mountPoint: string): number => (mountPoint === '/' ? 0 : mountPoint.split('/').length - 1);

/** Siblings in a safe creation order: one whose mount point lies under another's goes first. */
function siblingOrder(siblings: readonly TopologyMount[]): TopologyMount[] {
  return siblings
    .map((mount) => ({ mount, depth: depthOf(mount.mountPoint) }))
    .sort((a, b) => b.depth - a.depth)
    .map(({ mount }) => mount);
}

/** Mounts in creation order: depth first, siblings in siblingOrder (no recursion: trees may be deep). */
function creationOrder(mounts: readonly TopologyMount[]): TopologyMount[] {
  const children = groupBy(mounts, (mount) => mount.parent);
  const order: TopologyMount[] = [];
  const stack = siblingOrder(mounts.filter((mount) => mount.parent === null)).reverse();
  for (let mount = stack.pop(); mount; mount = stack.pop()) {
    order.push(mount);
    const next = siblingOrder(children.get(mount.id) ?? []);
    for (let i = next.length - 1; i >= 0; i--) stack.push(next[i]!);
  }
  return order;
}

/** The longest proper prefix of `path` (absolute, normalized) that `known` holds; it must hold '/'. */
function longestKnownPrefix(path: string, known: ReadonlyMap<string, unknown>): string {
  let prefix = path;
  do prefix = prefix.slice(0, prefix.lastIndexOf('/')) || '/';
  while (!known.has(prefix));
  return prefix;
}

/**
 * The mounts a path lookup cannot reach once the tree is complete: walking a mount's own mount point
 * from the top, as the kernel does, lands on something else. Mounts whose parent is outside the dump
 * all hang from the one mount that holds `into`. A walk changes mounts only at mount points, so where
 * each mount point lands is found once, from where its nearest listed prefix landed: shorter points
 * first (a deep tree stays quadratic in its path length, not cubic).
 */
function coveredMounts(mounts: readonly TopologyMount[]): Set<number> {
  const onPoint = new Map<string, TopologyMount>();
  for (const mount of mounts) onPoint.set(`${mount.parent} ${mount.mountPoint}`, mount);
  const topmost = (parent: number | null, point: string): TopologyMount | undefined => {
    let top = onPoint.get(`${parent} ${point}`);
    for (let over = top; over; over = onPoint.get(`${over.id} ${point}`)) top = over;
    return top;
  };
  const landed = new Map<string, TopologyMount | undefined>([['/', topmost(null, '/')]]);
  const points = [...new Set(mounts.map((mount) => mount.mountPoint))].sort((a, b) => a.length - b.length);
  for (const point of points) {
    if (point === '/') continue;
    const from = landed.get(longestKnownPrefix(point, landed));
    landed.set(point, topmost(from ? from.id : null, point) ?? from);
  }
  return new Set(mounts.filter((mount) => landed.get(mount.mountPoint) !== mount).map((mount) => mount.id));
}

/** An external that holds `root` of superblock `key`. */
function externalFor(key: string, roots: readonly string[], externals: readonly External[]): External | undefined {
  return externals.find((e) => e.superblock === key && roots.every((root) => isAtOrUnder(root, e.root)));
}

class Planner {
  readonly steps: PlanStep[] = [];
  readonly problems: string[] = [];
  readonly superblocks = new Map<string, Superblock>();
  readonly pinned = new Map<number, string>();
  /** The seed each restored peer group has, by group id. */
  readonly seeds = new Map<number, Target>();
  /** The members of each peer group of the dump, by group id. */
  readonly groups: Map<number, TopologyMount[]>;

  constructor(readonly topology: Topology, readonly options: PlanOptions) {
    this.groups = groupBy(topology.mounts, (mount) => mount.group);
  }

  /** Where the restored copy of `mount` is reached: its pin, or its path under `into`. */
  targetOf(mount: TopologyMount): Target {
    const pin = this.pinned.get(mount.id);
    return pin === undefined ? join(this.options.into, mount.mountPoint) : { pin };
  }

  /** Phase 0: `into` as a private bind of itself, when asked for. */
  holdInto(): void {
    const { into } = this.options;
    if (this.options.holdInto) this.steps.push({ op: 'mkdir', path: into }, { op: 'bind', source: into, target: into }, { op: 'propagation', type: 'private', target: into });
  }

  /** Phase 1: a staging tmpfs, private before anything is put in it, and in it one private mount of every superblock. */
  createSuperblocks(): void {
    const { staging } = this.options;
    this.steps.push(
      { op: 'mkdir', path: staging },
      { op: 'mount', fsType: 'tmpfs', source: 'mount-set-group-staging', target: staging, flags: [], data: 'mode=700' },
      { op: 'propagation', type: 'private', target: staging },
    );
    for (const [key, mounts] of groupBy(this.topology.mounts, (mount) => mount.superblock)) {
      const first = mounts[0]!;
      const superblock: Superblock = { key, staging: posix.join(staging, `sb${this.superblocks.size + 1}`), first, flags: commonFlags(mounts) };
      this.superblocks.set(key, superblock);
      this.steps.push({ op: 'mkdir', path: superblock.staging });
      if (PSEUDO_FILESYSTEMS.has(first.fsType)) {
        const { fsType, source, superOptions: data } = first;
        this.steps.push({ op: 'mount', fsType, source, target: superblock.staging, flags: superblock.flags, data });
        for (const root of new Set(mounts.map((m) => m.root))) if (root !== '/') this.steps.push({ op: 'mkdir', path: join(superblock.staging, root) });
        continue;
      }
      const external = externalFor(key, mounts.map((m) => m.root), this.options.externals ?? []);
      if (!external) {
        this.problems.push(
          `superblock ${key} (${first.fsType} ${first.source}) cannot be created afresh, and no available mount of it holds ` +
            `${[...new Set(mounts.map((m) => `'${m.root}'`))].join(', ')}: name one with --external ${key}=PATH`,
        );
        continue;
      }
      superblock.external = external;
      /* The bind has the flags of the external mount, which the dump does not show: they are set; and its sharing (a peer of a shared external): it is made private. */
      this.steps.push(
        { op: 'bind', source: external.path, target: superblock.staging },
        { op: 'propagation', type: 'private', target: superblock.staging },
        { op: 'remount', target: superblock.staging, flags: superblock.flags },
      );
    }
  }

  /** The staging path that shows directory `root` of a mount's superblock. */
  stagedRoot(mount: TopologyMount): string {
    const superblock = this.superblocks.get(mount.superblock)!;
    if (!superblock.external) return join(superblock.staging, mount.root);
    return join(superblock.staging, superblock.external.root === '/' ? mount.root : mount.root.slice(superblock.external.root.length) || '/');
  }

  /** Phase 2: every mount as a private bind, in an order where nothing lands under a covered path. */
  buildTree(): void {
    const covered = coveredMounts(this.topology.mounts);
    const byId = new Map(this.topology.mounts.map((mount) => [mount.id, mount]));
    const parentOf = (mount: TopologyMount) => (mount.parent === null ? undefined : byId.get(mount.parent));
    /* A mount point in an external filesystem is never created (it is not ours to change); one on its parent's root exists. */
    const needsDirectory = (mount: TopologyMount) => {
      const parent = parentOf(mount);
      return !parent || (parent.mountPoint !== mount.mountPoint && !this.superblocks.get(parent.superblock)?.external);
    };
    for (const mount of creationOrder(this.topology.mounts)) {
      const target = join(this.options.into, mount.mountPoint);
      if (needsDirectory(mount)) this.steps.push({ op: 'mkdir', path: target });
      this.steps.push({ op: 'bind', source: this.stagedRoot(mount), target });
      if (covered.has(mount.id)) {
        const name = `m${mount.id}`;
        this.pinned.set(mount.id, name);
        this.steps.push({ op: 'pin', name, path: target });
      }
    }
  }

  /** Phase 3: a bind remount for each mount whose flags differ from what its bind gave it. */
  restoreFlags(): void {
    for (const mount of this.topology.mounts) {
      const superblock = this.superblocks.get(mount.superblock)!;
      const { flags } = flagsShown(mount.mountOptions);
      if (!sameFlags(flags, superblock.flags)) this.steps.push({ op: 'remount', target: this.targetOf(mount), flags });
    }
  }

  /**
   * The seed of a set of mounts of one superblock: a member whose root is the superblock's root, the
   * widest there is (it contains every member's root), else a new private bind of that root in staging.
   * Returns the seed and the members still to join it.
   */
  seedOf(members: readonly TopologyMount[], label: string): { seed: Target; rest: TopologyMount[] } {
    const widest = members.find((member) => member.root === '/' && !member.unbindable);
    if (widest) return { seed: this.targetOf(widest), rest: members.filter((member) => member !== widest) };
    const path = posix.join(this.options.staging, `seed-${label}`);
    this.steps.push({ op: 'mkdir', path }, { op: 'bind', source: this.superblocks.get(members[0]!.superblock)!.staging, target: path });
    return { seed: path, rest: [...members] };
  }

  /** Makes the private `seed` a slave of group `master`: it joins the group's seed, then steps down. */
  enslave(seed: Target, master: number): void {
    const masterSeed = this.seeds.get(master);
    if (masterSeed === undefined) return; // a master in a cycle: reported by mastersFirst
    this.steps.push({ op: 'setGroup', source: masterSeed, target: seed }, { op: 'propagation', type: 'slave', target: seed });
  }

  /**
   * Phase 4: peer groups (masters first), then slaves in no group, then unbindable marks. An
   * unbindable slave is marked before it joins: set-group takes an unbindable target (it is neither
   * shared nor a slave) and keeps the mark, while marking a slave unbindable would end its slavery.
   */
  restoreSharing(): void {
    const loneSlaves = groupBy(this.topology.mounts, (mount) => (mount.group === null ? mount.master : null));
    for (const group of this.mastersFirst()) {
      const members = this.groups.get(group)!;
      const { seed, rest } = this.seedOf(members, `g${group}`);
      const master = members[0]!.master;
      if (master !== null) this.enslave(seed, master);
      this.steps.push({ op: 'propagation', type: 'shared', target: seed });
      this.seeds.set(group, seed);
      for (const member of rest) this.steps.push({ op: 'setGroup', source: seed, target: this.targetOf(member) });
    }
    for (const [master, slaves] of loneSlaves) {
      if (!this.groups.has(master)) continue; // reported by checkGroups
      const { seed, rest } = this.seedOf(slaves, `s${master}`);
      this.enslave(seed, master);
      for (const slave of rest) {
        if (slave.unbindable) this.steps.push({ op: 'propagation', type: 'unbindable', target: this.targetOf(slave) });
        this.steps.push({ op: 'setGroup', source: seed, target: this.targetOf(slave) });
      }
    }
    for (const mount of this.topology.mounts) {
      if (mount.unbindable && mount.master === null) this.steps.push({ op: 'propagation', type: 'unbindable', target: this.targetOf(mount) });
    }
  }

  /** Groups ordered so that each comes after its master; groups in a master cycle are reported. */
  mastersFirst(): number[] {
    const { groups } = this;
    const order: number[] = [];
    const done = new Set<number>();
    for (const start of groups.keys()) {
      const chain: number[] = [];
      const inChain = new Set<number>();
      for (let group: number | null = start; group !== null && groups.has(group) && !done.has(group); group = groups.get(group)![0]!.master) {
        if (inChain.has(group)) {
          this.problems.push(`peer groups ${[...chain.slice(chain.indexOf(group)), group].join(' -> ')} are each other's masters (a propagation cycle)`);
          break;
        }
        chain.push(group);
        inChain.add(group);
      }
      for (const group of chain.reverse()) {
        done.add(group);
        order.push(group);
      }
    }
    return order;
  }

  /** What the kernel could never have shown, or what this dump cannot say: reported, not guessed. */
  checkGroups(): void {
    const { groups } = this;
    for (const mount of this.topology.mounts) {
      const where = `mount ${mount.id} at '${mount.mountPoint}'`;
      if (mount.propagateFrom !== null) {
        this.problems.push(`${where} receives propagation from peer group ${mount.propagateFrom} through a master the dump could not see (propagate_from); dump from a process that sees the whole namespace`);
      } else if (mount.master !== null && !groups.has(mount.master)) {
        this.problems.push(`${where} is a slave of peer group ${mount.master}, which has no member in the dump; dump a directory that holds a member of it`);
      }
      if (mount.unbindable && mount.group !== null) {
        this.problems.push(`${where} is both unbindable and shared, which the kernel never shows`);
      }
      for (const word of flagsShown(mount.mountOptions).unknown) {
        this.problems.push(`${where} shows the per-mount option '${word}', which a restore cannot set`);
      }
    }
    for (const [group, members] of groups) {
      if (new Set(members.map((m) => m.superblock)).size > 1) this.problems.push(`peer group ${group} spans several superblocks, which the kernel never shows`);
      if (new Set(members.map((m) => m.master)).size > 1) this.problems.push(`the members of peer group ${group} name different masters, which the kernel never shows`);
    }
  }

  /** Phase 5: the staging tmpfs goes, with every superblock mount and seed; pins are let go. */
  cleanUp(): void {
    this.steps.push({ op: 'umount', target: this.options.staging });
    for (const name of this.pinned.values()) this.steps.push({ op: 'unpin', name });
  }
}

/** Checks the places (absolute and normalized: validatePlaces()): neither may lie inside the other. */
function checkPlaces(options: PlanOptions): string[] {
  if (!isAtOrUnder(options.staging, options.into) && !isAtOrUnder(options.into, options.staging)) return [];
  return [`the staging directory '${options.staging}' and --into '${options.into}' must not contain one another`];
}

/** The options planRestore() knows. */
export const PLAN_OPTIONS: readonly string[] = ['into', 'staging', 'externals', 'holdInto'];

/** The plan that rebuilds `topology` at `options.into`. */
export function planRestore(topology: Topology, options: PlanOptions): Plan {
  validatePlaces(options, PLAN_OPTIONS);
  const planner = new Planner(topology, options);
  planner.problems.push(...checkPlaces(options));
  planner.checkGroups();
  planner.holdInto();
  planner.createSuperblocks();
  planner.buildTree();
  planner.restoreFlags();
  planner.restoreSharing();
  planner.cleanUp();
  return { into: options.into, staging: options.staging, steps: planner.steps, problems: planner.problems, mounts: topology.mounts.length };
}
