// plan: how to rebuild a dumped topology in a fresh place, in the direct manner the set-group
// proposal describes, as data that can be printed, dry-run, and applied to either backend.
//
// Phases:
// 0. places: with `holdInto`, --into first becomes a private bind of itself, so that nothing the
//    restore mounts there propagates to the peers (or receives from the master) of the mount that
//    holds it (restore.ts decides when: places.ts);
// 1. superblocks: each created once, under a staging tmpfs made private at once — a new mount for the
//    filesystems whose new mount is a superblock of its own (filesystems.ts), a private bind of a
//    mount the caller names for the rest (an external, or a live member of a tied group), which is
//    never written to. A file that is a mount's root is created as an empty file;
// 2. tree: every mount as a private bind of its superblock's staging mount (root and all), parents
//    before children; among siblings, a mount on a path under another's mount point first, so that
//    nothing is mounted under a path already covered. A mount point is made as a directory, or as
//    an empty file where the mount is of a file (a file binds only onto a file). A mount that
//    something later covers is pinned (held by reference) as soon as it exists, so the later
//    phases can still reach it. A bind has the per-mount flags of what it binds: each superblock's
//    staging mount is given the flags most of its mounts have (read-only aside), so that most
//    binds come out right;
// 3. flags: once every mount point has been made, each mount whose flags the bind did not give it
//    (read-only ones among them) gets them with one bind remount;
// 4. sharing: nothing propagates while the tree is built because everything is private. Then, per
//    peer group, masters before slaves: a seed (the only member, or a bind of the superblock's
//    root, which contains every member's root) becomes shared — as a slave of its master's seed
//    first, if it has one — and set-group puts each member into the seed's group. Slaves that are
//    in no group join through a slave seed of their master. A group tied to a live one has the
//    live member as its seed: the restored mounts join it, or become its slaves, as attach makes a
//    volume one (set-group, then make-slave). Unbindable mounts are marked last;
// 5. cleanup: the staging tmpfs, with every superblock mount and seed, is detached; the members
//    keep their groups (the kernel moves slaves of a leaving peer to a remaining one).
//
// What cannot be restored is reported in `problems`, never restored wrongly.
import { posix } from 'node:path';
import { groupBy } from '../core/group-by.js';
import { validatePlaces } from './arguments.js';
import { MOUNT_FLAGS, type MountFlag, type Propagation } from '../core/namespace.js';
import { existingSuperblockReason, makesFreshSuperblock, startsEmpty } from './filesystems.js';
import { isAtOrUnder, lookupLandings, type Topology, type TopologyMount } from './topology.js';

/** A mount named by path, or by the name it was pinned under (`@name` when printed). */
export type Target = string | { pin: string };

export type PlanStep =
  | { op: 'mkdir'; path: string }
  | { op: 'createFile'; path: string }
  | { op: 'mount'; fsType: string; source: string; target: string; flags: readonly MountFlag[]; data: string }
  | { op: 'remount'; target: Target; flags: readonly MountFlag[] }
  | { op: 'bind'; source: string; target: string }
  /** A set's restore: `source` names a detached copy another process made (/proc/PID/fd/N), attached on `target` in this namespace (move_mount(2)). */
  | { op: 'attach'; source: string; target: string }
  | { op: 'pin'; name: string; path: string }
  | { op: 'propagation'; type: Propagation; target: Target }
  | { op: 'setGroup'; source: Target; target: Target }
  | { op: 'umount'; target: string }
  | { op: 'unpin'; name: string };

/** What the caller's namespace shows of a mount it names (an external, a tie), when known: checked against the dump. */
export interface LiveFacts {
  /** Its filesystem type. */
  fsType?: string;
  /** Whether its superblock is read-only. */
  readOnly?: boolean;
}

/** Where a superblock that cannot be created afresh is available: `path` shows its directory `root`. */
export interface External extends LiveFacts {
  superblock: string;
  root: string;
  path: string;
}

/**
 * A live peer group the dump's mounts are members or slaves of: `path` is the root of a shared mount
 * in it (in the namespace the restore runs in), showing directory `root` of its superblock. The
 * restored mounts are tied to it with set-group, and their superblock is bound from it.
 */
export interface Tie extends LiveFacts {
  /** The group's id in the dump (shared:N, master:N). */
  group: number;
  path: string;
  root: string;
}

export interface PlanOptions {
  /** Absolute directory the dump's '/' is rebuilt at. */
  into: string;
  /** Absolute directory for the staging tmpfs (outside `into`). */
  staging: string;
  /** Superblocks available to bind from (for filesystems that cannot be mounted afresh). */
  externals?: readonly External[];
  /** Live peer groups the restored mounts are tied to. */
  ties?: readonly Tie[];
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

/** The mounts a path lookup cannot reach once the tree is complete (they are reached through pins). */
function coveredMounts(mounts: readonly TopologyMount[]): Set<number> {
  const landed = lookupLandings(mounts);
  return new Set(mounts.filter((mount) => landed.get(mount.mountPoint) !== mount).map((mount) => mount.id));
}

/** An external that holds `root` of superblock `key`. */
function externalFor(key: string, roots: readonly string[], externals: readonly External[]): External | undefined {
  return externals.find((e) => e.superblock === key && roots.every((root) => isAtOrUnder(root, e.root)));
}

/** `root`, a directory of a superblock at or under `base`, as a path relative to `base`. */
function relativeRoot(root: string, base: string): string {
  return base === '/' ? root : root.slice(base.length) || '/';
}

/** Whether a superblock's options (mountinfo field 11) make it read-only. */
const readOnlySuperblock = (mount: TopologyMount): boolean => mount.superOptions.split(',')[0] === 'ro';

/** Where a plan's staging directory holds each superblock of `mounts`: sb1, sb2... in the order they first appear. */
export function superblockStagings(mounts: readonly TopologyMount[], staging: string): Map<string, string> {
  return new Map([...groupBy(mounts, (mount) => mount.superblock).keys()].map((key, i) => [key, posix.join(staging, `sb${i + 1}`)]));
}

/** The narrowest directory that contains every one of `roots` (absolute, normalized). */
function commonRoot(roots: readonly string[]): string {
  const split = roots.map((root) => root.split('/').filter(Boolean));
  const common: string[] = [];
  for (let i = 0; split.every((parts) => i < parts.length && parts[i] === split[0]![i]); i++) common.push(split[0]![i]!);
  return `/${common.join('/')}`;
}

/** The words the problems use for a superblock. */
const describeSuperblock = (mount: TopologyMount): string => `superblock ${mount.superblock} (${mount.fsType} ${mount.source})`;

/** The roots of `mounts`, each once, quoted. */
const quotedRoots = (mounts: readonly TopologyMount[]): string => [...new Set(mounts.map((m) => `'${m.root}'`))].join(', ');

class Planner {
  readonly steps: PlanStep[] = [];
  readonly problems: string[] = [];
  readonly superblocks = new Map<string, Superblock>();
  readonly pinned = new Map<number, string>();
  /** The seed each restored peer group has, by group id: a tied group's is its live member. */
  readonly seeds = new Map<number, Target>();
  /** The members of each peer group of the dump, by group id. */
  readonly groups: Map<number, TopologyMount[]>;
  /** The tie of each tied group, by group id. */
  readonly ties = new Map<number, Tie>();
  /** A live mount of each tied superblock, which the superblock is bound from. */
  readonly tiedSuperblocks = new Map<string, External>();
  /** The slaves of each peer group, by group id (made when first needed). */
  slaves: Map<number | null, TopologyMount[]> | undefined;

  constructor(readonly topology: Topology, readonly options: PlanOptions) {
    this.groups = groupBy(topology.mounts, (mount) => mount.group);
  }

  /** Where the restored copy of `mount` is reached: its pin, or its path under `into`. */
  targetOf(mount: TopologyMount): Target {
    const pin = this.pinned.get(mount.id);
    return pin === undefined ? join(this.options.into, mount.mountPoint) : { pin };
  }

  /**
   * The ties: each names a group some mounts of the dump are members or slaves of, all of one
   * superblock (set-group joins mounts of one superblock only), which is then bound from the tie.
   */
  tieGroups(): void {
    for (const tie of this.options.ties ?? []) {
      const tied = this.topology.mounts.filter((mount) => mount.group === tie.group || mount.master === tie.group);
      const keys = new Set(tied.map((mount) => mount.superblock));
      if (keys.size === 0) {
        this.problems.push(`--tie ${tie.group}=${tie.path} names peer group ${tie.group}, which no mount of the dump is a member or a slave of`);
        continue;
      }
      if (keys.size > 1) {
        this.problems.push(`the mounts tied to peer group ${tie.group} show several superblocks (${[...keys].join(', ')}), which one group never spans`);
        continue;
      }
      const [key] = keys as Set<string> & [string];
      this.ties.set(tie.group, tie);
      this.seeds.set(tie.group, tie.path);
      if (!this.tiedSuperblocks.has(key)) this.tiedSuperblocks.set(key, { ...tie, superblock: key });
    }
  }

  /** Phase 0: `into` as a private bind of itself, when asked for. */
  holdInto(): void {
    const { into } = this.options;
    if (this.options.holdInto) this.steps.push({ op: 'mkdir', path: into }, { op: 'bind', source: into, target: into }, { op: 'propagation', type: 'private', target: into });
  }

  /** Phase 1: a staging tmpfs, private before anything is put in it, and in it one mount of every superblock. */
  createSuperblocks(): void {
    const { staging } = this.options;
    this.steps.push(
      { op: 'mkdir', path: staging },
      { op: 'mount', fsType: 'tmpfs', source: 'mount-set-group-staging', target: staging, flags: [], data: 'mode=700' },
      { op: 'propagation', type: 'private', target: staging },
    );
    const stagings = superblockStagings(this.topology.mounts, staging);
    for (const [key, mounts] of groupBy(this.topology.mounts, (mount) => mount.superblock)) {
      const first = mounts[0]!;
      const superblock: Superblock = { key, staging: stagings.get(key)!, first, flags: commonFlags(mounts) };
      this.superblocks.set(key, superblock);
      this.steps.push({ op: 'mkdir', path: superblock.staging });
      const roots = mounts.map((m) => m.root);
      const external = externalFor(key, roots, this.options.externals ?? []) ?? externalFor(key, roots, [...this.tiedSuperblocks.values()]);
      if (external) this.bindExternal(superblock, external);
      else if (makesFreshSuperblock(first.fsType) && !this.tiedSuperblocks.has(key)) this.mountAfresh(superblock, mounts);
      else this.problems.push(this.unavailable(superblock, mounts));
    }
  }

  /** Why a superblock that is not created afresh cannot be had, and what to name. */
  unavailable(superblock: Superblock, mounts: readonly TopologyMount[]): string {
    const { first, key } = superblock;
    const named = (this.options.externals ?? []).find((e) => e.superblock === key) ?? this.tiedSuperblocks.get(key);
    if (named) return `${describeSuperblock(first)}: the mount named at ${named.path} shows its '${named.root}', which does not hold ${quotedRoots(mounts)}`;
    return (
      `${describeSuperblock(first)} is not created afresh: ${existingSuperblockReason(first.fsType)}; a restore neither mounts it anew nor writes to it. ` +
      `No available mount of it holds ${quotedRoots(mounts)}: name one with --external ${key}=PATH`
    );
  }

  /**
   * A private bind of a mount the caller named: made private at once, so that nothing the restore
   * mounts on it reaches the live mount's peers. Its flags, which the dump does not show, are set.
   */
  bindExternal(superblock: Superblock, external: External): void {
    const { first, key } = superblock;
    if (external.fsType !== undefined && external.fsType !== first.fsType) {
      this.problems.push(`${describeSuperblock(first)}: the mount named at ${external.path} is of ${external.fsType}, not ${first.fsType}`);
    }
    if (external.readOnly !== undefined && external.readOnly !== readOnlySuperblock(first)) {
      const [want, has] = external.readOnly ? ['read-write', 'read-only'] : ['read-only', 'read-write'];
      this.problems.push(`${describeSuperblock(first)} is ${want}, but the mount named at ${external.path} shows a ${has} superblock: name a mount of the dumped superblock ${key}`);
    }
    superblock.external = external;
    this.steps.push(
      { op: 'bind', source: external.path, target: superblock.staging },
      { op: 'propagation', type: 'private', target: superblock.staging },
      { op: 'remount', target: superblock.staging, flags: superblock.flags },
    );
  }

  /**
   * A new mount of a filesystem that makes a superblock of its own, read-only from the start when
   * the dump's is ("ro" in the data), and in it every root its mounts show: a directory, or an
   * empty file. A read-only superblock that starts empty cannot take them: reported.
   */
  mountAfresh(superblock: Superblock, mounts: readonly TopologyMount[]): void {
    const { fsType, source, superOptions: data } = superblock.first;
    this.steps.push({ op: 'mount', fsType, source, target: superblock.staging, flags: superblock.flags, data });
    for (const mount of new Map(mounts.filter((m) => m.root !== '/').map((m) => [m.root, m])).values()) {
      this.makePlace(join(superblock.staging, mount.root), mount.file === true);
    }
    if (readOnlySuperblock(superblock.first) && startsEmpty(fsType) && this.needsMaking(superblock.key)) {
      this.problems.push(`${describeSuperblock(superblock.first)} is read-only and starts empty, but its mounts need directories or files made in it, which a restore cannot make in a read-only superblock`);
    }
  }

  /** Whether anything must be made in superblock `key`: a root below its top, or a mount point of a mount on one of its mounts. */
  needsMaking(key: string): boolean {
    const byId = new Map(this.topology.mounts.map((mount) => [mount.id, mount]));
    return this.topology.mounts.some((mount) => {
      const parent = mount.parent === null ? undefined : byId.get(mount.parent);
      return (mount.superblock === key && mount.root !== '/') || (parent?.superblock === key && parent.mountPoint !== mount.mountPoint);
    });
  }

  /** Steps that make `path`: a directory (mkdir -p), or an empty file in a directory made so. */
  makePlace(path: string, file: boolean): void {
    if (!file) {
      this.steps.push({ op: 'mkdir', path });
      return;
    }
    this.steps.push({ op: 'mkdir', path: posix.dirname(path) }, { op: 'createFile', path });
  }

  /** The staging path that shows directory `root` (a mount's, by default) of a mount's superblock. */
  stagedRoot(mount: TopologyMount, root = mount.root): string {
    const superblock = this.superblocks.get(mount.superblock)!;
    return join(superblock.staging, superblock.external ? relativeRoot(root, superblock.external.root) : root);
  }

  /** Phase 2: every mount as a private bind, in an order where nothing lands under a covered path. */
  buildTree(): void {
    const covered = coveredMounts(this.topology.mounts);
    const byId = new Map(this.topology.mounts.map((mount) => [mount.id, mount]));
    const parentOf = (mount: TopologyMount) => (mount.parent === null ? undefined : byId.get(mount.parent));
    /* A mount point in an external filesystem is never created (it is not ours to change); one on its parent's root exists. */
    const needsPlace = (mount: TopologyMount) => {
      const parent = parentOf(mount);
      return !parent || (parent.mountPoint !== mount.mountPoint && !this.superblocks.get(parent.superblock)?.external);
    };
    for (const mount of creationOrder(this.topology.mounts)) {
      const target = join(this.options.into, mount.mountPoint);
      if (needsPlace(mount)) this.makePlace(target, mount.file === true);
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
   * The seed of a set of mounts of one superblock: the only one, or a member whose root contains
   * every member's root and every root `downstream` (its slaves' seeds must lie in it: set-group
   * joins a mount to a source whose root contains its own), else a new private bind in staging of
   * the narrowest directory that does. Returns the seed and the members still to join it.
   */
  seedOf(members: readonly TopologyMount[], label: string, downstream: readonly string[] = []): { seed: Target; rest: TopologyMount[] } {
    const root = commonRoot([...members.map((member) => member.root), ...downstream]);
    const widest = members.length === 1 && downstream.length === 0 ? members[0] : members.find((member) => member.root === root && !member.unbindable);
    if (widest) return { seed: this.targetOf(widest), rest: members.filter((member) => member !== widest) };
    const path = posix.join(this.options.staging, `seed-${label}`);
    this.makePlace(path, members.some((member) => member.root === root && member.file === true));
    this.steps.push({ op: 'bind', source: this.stagedRoot(members[0]!, root), target: path });
    return { seed: path, rest: [...members] };
  }

  /**
   * The roots of every mount that receives from peer group `group`, its slaves' slaves included: a
   * slave may be wider than every member its master has left (the member it was copied from gone).
   */
  downstreamRoots(group: number, seen = new Set<number>()): string[] {
    seen.add(group);
    this.slaves ??= groupBy(this.topology.mounts, (mount) => mount.master);
    return (this.slaves.get(group) ?? [])
      .filter((mount) => mount.group !== group)
      .flatMap((slave) => (slave.group !== null && !seen.has(slave.group) ? [slave.root, ...this.downstreamRoots(slave.group, seen)] : [slave.root]));
  }

  /** Makes the private `seed` a slave of group `master`: it joins the group's seed, then steps down (attach's two steps). */
  enslave(seed: Target, master: number): void {
    const masterSeed = this.seeds.get(master);
    if (masterSeed === undefined) return; // a master in a cycle: reported by mastersFirst
    this.steps.push({ op: 'setGroup', source: masterSeed, target: seed }, { op: 'propagation', type: 'slave', target: seed });
  }

  /**
   * Phase 4: peer groups (masters first), then slaves in no group, then unbindable marks. An
   * unbindable slave is marked before it joins: set-group takes an unbindable target (it is neither
   * shared nor a slave) and keeps the mark, while marking a slave unbindable would end its slavery.
   * A tied group's members join its live member, which already has the group's master.
   */
  restoreSharing(): void {
    const loneSlaves = groupBy(this.topology.mounts, (mount) => (mount.group === null ? mount.master : null));
    for (const group of this.mastersFirst()) {
      const members = this.groups.get(group)!;
      if (this.ties.has(group)) {
        for (const member of members) this.steps.push({ op: 'setGroup', source: this.seeds.get(group)!, target: this.targetOf(member) });
        continue;
      }
      const { seed, rest } = this.seedOf(members, `g${group}`, this.downstreamRoots(group));
      const master = members[0]!.master;
      if (master !== null) this.enslave(seed, master);
      this.steps.push({ op: 'propagation', type: 'shared', target: seed });
      this.seeds.set(group, seed);
      for (const member of rest) this.steps.push({ op: 'setGroup', source: seed, target: this.targetOf(member) });
    }
    for (const [master, slaves] of loneSlaves) {
      if (!this.seeds.has(master)) continue; // reported by checkGroups or mastersFirst
      for (const slave of slaves) if (slave.unbindable) this.steps.push({ op: 'propagation', type: 'unbindable', target: this.targetOf(slave) });
      const { seed, rest } = this.seedOf(slaves, `s${master}`);
      this.enslave(seed, master);
      for (const slave of rest) this.steps.push({ op: 'setGroup', source: seed, target: this.targetOf(slave) });
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
      } else if (mount.master !== null && !groups.has(mount.master) && !this.ties.has(mount.master)) {
        this.problems.push(
          `${where} is a slave of peer group ${mount.master}, which has no member in the dump; dump a directory that holds a member of it, ` +
            `or tie it to a live member of the group: --tie ${mount.master}=PATH`,
        );
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
export const PLAN_OPTIONS: readonly string[] = ['into', 'staging', 'externals', 'ties', 'holdInto'];

/** The plan that rebuilds `topology` at `options.into`. */
export function planRestore(topology: Topology, options: PlanOptions): Plan {
  validatePlaces(options, PLAN_OPTIONS);
  const planner = new Planner(topology, options);
  planner.problems.push(...checkPlaces(options));
  planner.tieGroups();
  planner.checkGroups();
  planner.holdInto();
  planner.createSuperblocks();
  planner.buildTree();
  planner.restoreFlags();
  planner.restoreSharing();
  planner.cleanUp();
  return { into: options.into, staging: options.staging, steps: planner.steps, problems: planner.problems, mounts: topology.mounts.length };
}
