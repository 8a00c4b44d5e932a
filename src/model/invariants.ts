// assertInvariants(): the invariants written on the model's types (types.ts), checked over the
// whole kernel state: every mount namespace's table and tree (every parent live, each mount in
// exactly one namespace or in none), peer groups and slave lists across namespaces (one
// superblock per group, masters forming a forest: no propagation loop through any namespace),
// per-mount flags and locks, processes and what they hold, superblock counts, and ids unique and
// smallest-free system-wide. O(mounts); for tests, which run it after every operation.
import { InvariantError } from '../core/errors.js';
import { isSubdir } from './dcache.js';
import { childrenOf, ringOf, slavesOf } from './lists.js';
import type { ModelNamespace } from './model-namespace.js';
import type { ModelSystem } from './model-system.js';
import type { Ida } from './ida.js';
import { hasParent, hasSlaves, isLocked, isNew, isPrivate, isShared, isSlave, isUnbindable, peers } from './predicates.js';
import {
  MNT_LOCK_MASK,
  MNT_NOATIME,
  MNT_RELATIME,
  MNT_USER_SETTABLE_MASK,
  type Dentry,
  type MntNamespace,
  type Mount,
  type Superblock,
} from './types.js';
import type { KernelState } from './kernel-state.js';

function check(condition: boolean, message: () => string): asserts condition {
  if (!condition) throw new InvariantError(`model invariant broken: ${message()}`);
}

const name = (m: Mount): string => `mount ${m.id}`;

/** The namespaces that hold mounts: those some live process is in, and the anonymous ones whose detached tree an open file holds. */
function liveNamespaces(k: KernelState): MntNamespace[] {
  const namespaces = new Set<MntNamespace>();
  for (const task of k.tasks.values()) if (task.alive) namespaces.add(task.mntNs);
  for (const m of k.pinned) if (m.ns !== null && m.ns.anonymous) namespaces.add(m.ns);
  return [...namespaces];
}

/** Processes: each live one counted by its namespace, its root and cwd holding pins; dead ones in no namespace's count. */
function checkTasks(k: KernelState): void {
  const users = new Map<MntNamespace, number>();
  const pinsHeld = new Map<Mount, number>();
  for (const task of k.tasks.values()) {
    if (!task.alive) continue;
    users.set(task.mntNs, (users.get(task.mntNs) ?? 0) + 1);
    for (const path of [task.root, task.cwd, ...[...task.files.values()].map((file) => file.path)]) {
      check(path.dentry.sb === path.mount.sb, () => `process ${task.pid}'s root, cwd or an open file is not in its mount's superblock`);
      pinsHeld.set(path.mount, (pinsHeld.get(path.mount) ?? 0) + 1);
    }
  }
  for (const task of k.tasks.values()) if (!task.alive) check(task.files.size === 0, () => `process ${task.pid} has exited but holds ${task.files.size} open files`);
  for (const task of k.tasks.values()) {
    const ns = task.mntNs;
    check(ns.users === (users.get(ns) ?? 0), () => `mount namespace ${ns.seq} counts ${ns.users} processes, ${users.get(ns) ?? 0} are in it`);
    if (!ns.alive) check(ns.mounts.size === 0, () => `mount namespace ${ns.seq} has no process but still holds ${ns.mounts.size} mounts`);
  }
  for (const [m, held] of pinsHeld) check(m.pins === held, () => `${name(m)} has ${m.pins} pins but processes' roots, cwds and open files hold ${held}`);
}

/** A namespace's table: its mounts only, ordered by creation; the root has no parent. */
function checkTable(ns: MntNamespace): void {
  check(ns.mounts.has(ns.root) && ns.root.parent === null, () => `namespace ${ns.seq}'s root is not a parentless mount of its table`);
  let lastUnique = 0;
  for (const m of ns.mounts) {
    check(m.ns === ns, () => `${name(m)} is in the table of namespace ${ns.seq} but names ${m.ns === null ? 'none' : `namespace ${m.ns.seq}`}`);
    check(m.uniqueId > lastUnique, () => `${name(m)} is out of creation order in the table`);
    check(!m.umounting && !m.marked && !m.candidate, () => `${name(m)} kept a transient mark`);
    check(m.root.sb === m.sb, () => `${name(m)}'s root is not in its superblock`);
    check((m.mntFlags & ~(MNT_USER_SETTABLE_MASK | MNT_LOCK_MASK)) === 0, () => `${name(m)} has flags ${m.mntFlags.toString(16)} beyond the per-mount and lock ones`);
    check((m.mntFlags & (MNT_NOATIME | MNT_RELATIME)) !== (MNT_NOATIME | MNT_RELATIME), () => `${name(m)} is both noatime and relatime`);
    check(!isLocked(m) || hasParent(m), () => `${name(m)} is locked but has no parent`);
    lastUnique = m.uniqueId;
  }
}

/** The chain of children hashed at `dentry` of `m`, newest first. */
function hashChain(m: Mount, dentry: Dentry): Mount[] {
  const chain: Mount[] = [];
  for (let c = m.hashed?.get(dentry) ?? null; c !== null; c = c.nextHashed) chain.push(c);
  return chain;
}

/** A namespace's tree: every mount reachable from its root through child lists, hashed where it sits, inside its parent, in this namespace. */
function checkTree(k: KernelState, ns: MntNamespace): void {
  let reached = 0;
  const stack: Mount[] = [ns.root];
  for (let m = stack.pop(); m !== undefined; m = stack.pop()) {
    reached++;
    let children = 0;
    for (const child of childrenOf(m)) {
      children++;
      check(child.parent === m, () => `${name(child)} is on the child list of ${name(m)} but names another parent`);
      check(child.ns === ns && !isNew(child), () => `${name(child)} hangs from ${name(m)} but is not in its namespace (every parent live)`);
      check(hashChain(m, child.mountpoint!).includes(child), () => `${name(child)} is not hashed at its mountpoint on ${name(m)}`);
      check(child.mountpoint!.sb === m.sb && isSubdir(child.mountpoint!, m.root), () => `${name(child)}'s mountpoint lies outside ${name(m)}`);
      stack.push(child);
    }
    let hashed = 0;
    for (const dentry of m.hashed?.keys() ?? []) {
      const at = hashChain(m, dentry);
      hashed += at.length;
      check(at.length === 1 || k.version === '6.12', () => `${at.length} mounts of ${name(m)} sit on one mountpoint`);
    }
    check(hashed === children, () => `${name(m)} hashes ${hashed} children but lists ${children}`);
  }
  check(reached === ns.mounts.size, () => `${reached} mounts are reachable from namespace ${ns.seq}'s root, its table holds ${ns.mounts.size}`);
}

/** Peer groups: one ring per group id, all of one superblock and one master, in any namespaces; shared iff in a group. */
function checkPeerGroups(mounts: readonly Mount[]): void {
  const members = new Map<number, number>();
  for (const m of mounts) members.set(m.groupId, (members.get(m.groupId) ?? 0) + 1);
  const ringOfGroup = new Map<number, Mount>();
  for (const m of mounts) {
    check((m.groupId !== 0) === isShared(m), () => `${name(m)} has group ${m.groupId} but shared is ${isShared(m)}`);
    check(!(isUnbindable(m) && isShared(m)), () => `${name(m)} is both shared and unbindable`);
    check(m.nextPeer.prevPeer === m && m.prevPeer.nextPeer === m, () => `${name(m)}'s peer ring is broken`);
    if (m.groupId === 0) {
      check(m.nextPeer === m, () => `${name(m)} has peers but no group`);
      continue;
    }
    if (ringOfGroup.has(m.groupId)) continue;
    ringOfGroup.set(m.groupId, m);
    let size = 0;
    for (const p of ringOf(m)) {
      size++;
      check(peers(p, m), () => `${name(p)} is in the ring of group ${m.groupId} with group ${p.groupId}`);
      check(!isNew(p), () => `${name(p)} is a peer of ${name(m)} but in no namespace`);
      check(p.sb === m.sb, () => `peers ${name(p)} and ${name(m)} are mounts of different superblocks`);
      check(p.master === m.master, () => `peers ${name(p)} and ${name(m)} have different masters`);
    }
    check(size === members.get(m.groupId), () => `group ${m.groupId} has ${members.get(m.groupId)} members but its ring holds ${size}`);
  }
}

/** Slaves: on their master's list and only there, masters shared and live, peers contiguous, no cycles through any namespace. */
function checkSlaves(mounts: readonly Mount[]): void {
  const listed = new Set<Mount>();
  for (const m of mounts) {
    if (m.firstSlave !== null) {
      check(isShared(m), () => `${name(m)} has slaves but is not shared`);
      check(m.firstSlave.prevSlave === null, () => `${name(m)}'s first slave has a predecessor`);
    }
    const seenGroups = new Set<number>();
    let previousGroup = -1;
    for (const s of slavesOf(m)) {
      check(s.master === m, () => `${name(s)} is on the slave list of ${name(m)} but names another master`);
      listed.add(s);
      check(s.nextSlave === null || s.nextSlave.prevSlave === s, () => `${name(m)}'s slave list is broken after ${name(s)}`);
      if (s.groupId !== previousGroup && s.groupId !== 0) {
        check(!seenGroups.has(s.groupId), () => `group ${s.groupId} is not contiguous in the slave list of ${name(m)}`);
        seenGroups.add(s.groupId);
      }
      previousGroup = s.groupId;
    }
    if (isSlave(m)) {
      const master = m.master!;
      check(!isNew(master), () => `${name(m)}'s master ${name(master)} is in no namespace`);
      check(!peers(master, m) && master !== m, () => `${name(m)} is a slave of its own group`);
    }
  }
  for (const m of mounts) {
    check(listed.has(m) === isSlave(m), () => `${name(m)} ${isSlave(m) ? 'is not' : 'is'} on the slave list of a master`);
  }
  checkMasterForest(mounts);
}

/** Following masters from any group never comes back to it. */
function checkMasterForest(mounts: readonly Mount[]): void {
  for (const m of mounts) {
    const visited = new Set<Mount>();
    for (let p: Mount | null = m; p !== null; p = p.master) {
      check(!visited.has(p), () => `the masters of ${name(m)} form a cycle`);
      visited.add(p);
    }
  }
}

/** The live mounts: in a namespace, or out of every namespace and held by a pin. */
function liveMounts(k: KernelState, mounted: readonly Mount[]): Set<Mount> {
  const live = new Set(mounted);
  for (const m of k.pinned) {
    check(m.pins > 0, () => `${name(m)} is on the pinned list without pins`);
    check(!isNew(m) || (m.parent === null && isPrivate(m) && !hasSlaves(m)), () => `${name(m)} is out of every namespace but still hangs from a parent or propagates`);
    if (!isNew(m)) check(m.ns!.mounts.has(m), () => `${name(m)} names namespace ${m.ns!.seq} but is not in its table`);
    live.add(m);
  }
  return live;
}

/** Superblocks: each counts exactly its live mounts. */
function checkSuperblocks(live: ReadonlySet<Mount>): void {
  const mountsOf = new Map<Superblock, number>();
  for (const m of live) mountsOf.set(m.sb, (mountsOf.get(m.sb) ?? 0) + 1);
  for (const [sb, count] of mountsOf) {
    check(sb.mountCount === count, () => `superblock 0:${sb.minor} counts ${sb.mountCount} mounts, ${count} are live`);
  }
}

/** An allocator holds exactly the ids in use, each once: the next it hands out is the smallest free one. */
function checkIda(what: string, ida: Ida, used: ReadonlyMap<number, unknown>): void {
  const { min, next } = ida.range;
  const free = new Set(ida.freeIds());
  check(free.size === ida.freeIds().length, () => `a ${what} is free twice`);
  for (const id of used.keys()) {
    check(id >= min && id < next && !free.has(id), () => `${what} ${id} is in use but the allocator has it free or never handed it out`);
  }
  check(used.size + free.size === next - min, () => `${used.size} ${what}s in use and ${free.size} free, but ${next - min} were handed out`);
}

/** Ids: mount ids, peer-group ids and device minors unique among the live mounts of every namespace, and the allocators holding exactly those. */
function checkIds(k: KernelState, live: ReadonlySet<Mount>): void {
  const mountIds = new Map<number, Mount>();
  const groupIds = new Map<number, Mount>();
  const minors = new Map<number, Superblock>();
  for (const m of live) {
    check(!mountIds.has(m.id), () => `mount id ${m.id} is used twice`);
    mountIds.set(m.id, m);
    if (m.groupId !== 0) groupIds.set(m.groupId, m);
    const owner = minors.get(m.sb.minor);
    check(owner === undefined || owner === m.sb, () => `device 0:${m.sb.minor} is used by two superblocks`);
    minors.set(m.sb.minor, m.sb);
  }
  checkIda('mount id', k.mountIds, mountIds);
  checkIda('peer-group id', k.groupIds, groupIds);
  checkIda('device minor', k.deviceMinors, minors);
}

/** Throws InvariantError when the model's state (the whole system `of` belongs to) breaks an invariant stated on its types. */
export function assertInvariants(of: ModelNamespace | ModelSystem): void {
  const k = 'kernel' in of ? of.kernel : of.state.mntNs.kernel;
  checkTasks(k);
  const mounted: Mount[] = [];
  for (const ns of liveNamespaces(k)) {
    checkTable(ns);
    checkTree(k, ns);
    mounted.push(...ns.mounts);
  }
  checkPeerGroups(mounted);
  checkSlaves(mounted);
  const live = liveMounts(k, mounted);
  checkSuperblocks(live);
  checkIds(k, live);
}
