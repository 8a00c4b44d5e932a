// assertInvariants(): the invariants written on the model's types (types.ts), checked over a whole
// namespace: the table, the tree (every parent live), peer groups (one superblock, one master),
// slave lists (no cycles: masters form a forest over groups), per-mount flags, superblock counts,
// and ids unique and smallest-free. O(mounts); for tests, which run it after every operation.
import { InvariantError } from '../core/errors.js';
import { isSubdir } from './dcache.js';
import { childrenOf, ringOf, slavesOf } from './lists.js';
import type { ModelNamespace } from './model-namespace.js';
import type { Ida } from './ida.js';
import { hasSlaves, isNew, isPrivate, isShared, isSlave, isUnbindable, peers } from './predicates.js';
import { MNT_NOATIME, MNT_RELATIME, MNT_USER_SETTABLE_MASK, type Dentry, type MntNamespace, type Mount, type Superblock } from './types.js';

function check(condition: boolean, message: () => string): asserts condition {
  if (!condition) throw new InvariantError(`model invariant broken: ${message()}`);
}

const name = (m: Mount): string => `mount ${m.id}`;

/** The table: attached mounts only, ordered by creation; the root has no parent. */
function checkTable(ns: MntNamespace): void {
  check(ns.mounts.has(ns.root) && ns.root.parent === null, () => 'the namespace root is not a parentless mount of the table');
  let lastUnique = 0;
  for (const m of ns.mounts) {
    check(m.attached, () => `${name(m)} is in the table but not attached`);
    check(m.uniqueId > lastUnique, () => `${name(m)} is out of creation order in the table`);
    check(!m.umounting && !m.marked && !m.candidate, () => `${name(m)} kept a transient mark`);
    check(m.root.sb === m.sb, () => `${name(m)}'s root is not in its superblock`);
    check((m.mntFlags & ~MNT_USER_SETTABLE_MASK) === 0, () => `${name(m)} has flags ${m.mntFlags.toString(16)} beyond the per-mount ones`);
    check((m.mntFlags & (MNT_NOATIME | MNT_RELATIME)) !== (MNT_NOATIME | MNT_RELATIME), () => `${name(m)} is both noatime and relatime`);
    lastUnique = m.uniqueId;
  }
}

/** The chain of children hashed at `dentry` of `m`, newest first. */
function hashChain(m: Mount, dentry: Dentry): Mount[] {
  const chain: Mount[] = [];
  for (let c = m.hashed?.get(dentry) ?? null; c !== null; c = c.nextHashed) chain.push(c);
  return chain;
}

/** The tree: every mount reachable from the root through child lists, hashed where it sits, inside its parent. */
function checkTree(ns: MntNamespace): void {
  let reached = 0;
  const stack: Mount[] = [ns.root];
  for (let m = stack.pop(); m !== undefined; m = stack.pop()) {
    reached++;
    let children = 0;
    for (const child of childrenOf(m)) {
      children++;
      check(child.parent === m, () => `${name(child)} is on the child list of ${name(m)} but names another parent`);
      check(child.attached && !isNew(child), () => `${name(child)} hangs from ${name(m)} but is not in the namespace (every parent live)`);
      check(hashChain(m, child.mountpoint!).includes(child), () => `${name(child)} is not hashed at its mountpoint on ${name(m)}`);
      check(child.mountpoint!.sb === m.sb && isSubdir(child.mountpoint!, m.root), () => `${name(child)}'s mountpoint lies outside ${name(m)}`);
      stack.push(child);
    }
    let hashed = 0;
    for (const dentry of m.hashed?.keys() ?? []) {
      const at = hashChain(m, dentry);
      hashed += at.length;
      check(at.length === 1 || ns.kernel === '6.12', () => `${at.length} mounts of ${name(m)} sit on one mountpoint`);
    }
    check(hashed === children, () => `${name(m)} hashes ${hashed} children but lists ${children}`);
  }
  check(reached === ns.mounts.size, () => `${reached} mounts are reachable from the root, the table holds ${ns.mounts.size}`);
}

/** Peer groups: one ring per group id, all of one superblock and one master; shared iff in a group. */
function checkPeerGroups(ns: MntNamespace): void {
  const members = new Map<number, number>();
  for (const m of ns.mounts) members.set(m.groupId, (members.get(m.groupId) ?? 0) + 1);
  const ringOfGroup = new Map<number, Mount>();
  for (const m of ns.mounts) {
    check((m.groupId !== 0) === isShared(m), () => `${name(m)} has group ${m.groupId} but shared is ${isShared(m)}`);
    check(!(isUnbindable(m) && isShared(m)), () => `${name(m)} is both shared and unbindable`);
    check(m.nextPeer.prevPeer === m && m.prevPeer.nextPeer === m, () => `${name(m)}'s peer ring is broken`);
    if (m.groupId === 0) {
      check(m.nextPeer === m, () => `${name(m)} has peers but no group`);
      continue;
    }
    const first = ringOfGroup.get(m.groupId);
    if (first !== undefined) continue;
    ringOfGroup.set(m.groupId, m);
    let size = 0;
    for (const p of ringOf(m)) {
      size++;
      check(peers(p, m), () => `${name(p)} is in the ring of group ${m.groupId} with group ${p.groupId}`);
      check(p.attached, () => `${name(p)} is a peer of ${name(m)} but not in the namespace`);
      check(p.sb === m.sb, () => `peers ${name(p)} and ${name(m)} are mounts of different superblocks`);
      check(p.master === m.master, () => `peers ${name(p)} and ${name(m)} have different masters`);
    }
    check(size === members.get(m.groupId), () => `group ${m.groupId} has ${members.get(m.groupId)} members but its ring holds ${size}`);
  }
}

/** Slaves: on their master's list and only there, masters shared and live, peers contiguous, no cycles. */
function checkSlaves(ns: MntNamespace): void {
  const listed = new Set<Mount>();
  for (const m of ns.mounts) {
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
      check(master.attached, () => `${name(m)}'s master ${name(master)} is not in the namespace`);
      check(!peers(master, m) && master !== m, () => `${name(m)} is a slave of its own group`);
    }
  }
  for (const m of ns.mounts) {
    check(listed.has(m) === isSlave(m), () => `${name(m)} ${isSlave(m) ? 'is not' : 'is'} on the slave list of a master`);
  }
  checkMasterForest(ns);
}

/** Following masters from any group never comes back to it. */
function checkMasterForest(ns: MntNamespace): void {
  for (const m of ns.mounts) {
    const visited = new Set<Mount>();
    for (let p: Mount | null = m; p !== null; p = p.master) {
      check(!visited.has(p), () => `the masters of ${name(m)} form a cycle`);
      visited.add(p);
    }
  }
}

/** The live mounts: in the namespace, or out of it and held by a pin. */
function liveMounts(ns: MntNamespace): Set<Mount> {
  const live = new Set(ns.mounts);
  for (const m of ns.pinned) {
    check(m.pins > 0, () => `${name(m)} is on the pinned list without pins`);
    check(m.attached || (m.parent === null && isPrivate(m) && !hasSlaves(m)), () => `${name(m)} is out of the namespace but still hangs from a parent or propagates`);
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

/** Ids: mount ids, peer-group ids and device minors unique among the live mounts, and the allocators holding exactly those. */
function checkIds(ns: MntNamespace, live: ReadonlySet<Mount>): void {
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
  checkIda('mount id', ns.mountIds, mountIds);
  checkIda('peer-group id', ns.groupIds, groupIds);
  checkIda('device minor', ns.deviceMinors, minors);
}

/** Throws InvariantError when the model's state breaks an invariant stated on its types. */
export function assertInvariants(namespace: ModelNamespace): void {
  const ns = namespace.state;
  checkTable(ns);
  checkTree(ns);
  checkPeerGroups(ns);
  checkSlaves(ns);
  const live = liveMounts(ns);
  checkSuperblocks(live);
  checkIds(ns, live);
}
