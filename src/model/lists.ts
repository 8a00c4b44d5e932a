// The lists that link mounts, as include/linux/list.h manipulates them: a parent's child list
// (mnt_mounts/mnt_child, a list_head), the peer ring (mnt_share), a master's slave list
// (mnt_slave_list/mnt_slave, an hlist since Linux 6.16), and the namespace's table of mounts.
// Each operation is O(1), except what reaches the tail of a slave list (6.12's list_head had it at
// hand; the hlist has not).
import type { Mount } from './types.js';

// ---- child lists (mnt_mounts) -----------------------------------------------------------------

/** list_add_tail(&child->mnt_child, &parent->mnt_mounts). */
export function addChildTail(parent: Mount, child: Mount): void {
  child.prevSibling = parent.lastChild;
  child.nextSibling = null;
  if (parent.lastChild === null) parent.firstChild = child;
  else parent.lastChild.nextSibling = child;
  parent.lastChild = child;
}

/** list_del_init(&child->mnt_child): `parent` is the list the child is on. */
export function deleteChild(parent: Mount, child: Mount): void {
  if (child.prevSibling === null) parent.firstChild = child.nextSibling;
  else child.prevSibling.nextSibling = child.nextSibling;
  if (child.nextSibling === null) parent.lastChild = child.prevSibling;
  else child.nextSibling.prevSibling = child.prevSibling;
  child.prevSibling = child.nextSibling = null;
}

/** The children of `parent`, in list order. */
export function* childrenOf(parent: Mount): Generator<Mount> {
  for (let child = parent.firstChild; child !== null; child = child.nextSibling) yield child;
}

// ---- peer rings (mnt_share) -------------------------------------------------------------------

/** list_add(&m->mnt_share, &old->mnt_share): `m` joins the ring right after `old`. */
export function addPeerAfter(old: Mount, m: Mount): void {
  m.prevPeer = old;
  m.nextPeer = old.nextPeer;
  old.nextPeer.prevPeer = m;
  old.nextPeer = m;
}

/** list_del_init(&m->mnt_share): `m` leaves its ring and is alone. */
export function deletePeer(m: Mount): void {
  m.prevPeer.nextPeer = m.nextPeer;
  m.nextPeer.prevPeer = m.prevPeer;
  m.nextPeer = m.prevPeer = m;
}

/** list_empty(&m->mnt_share): `m` has no peers. */
export const isAloneInRing = (m: Mount): boolean => m.nextPeer === m;

// ---- slave lists (mnt_slave_list, an hlist) ---------------------------------------------------

/** hlist_add_head(&m->mnt_slave, &master->mnt_slave_list). */
export function addSlaveHead(master: Mount, m: Mount): void {
  m.prevSlave = null;
  m.nextSlave = master.firstSlave;
  if (master.firstSlave !== null) master.firstSlave.prevSlave = m;
  master.firstSlave = m;
}

/** hlist_add_behind(&m->mnt_slave, &prev->mnt_slave): `m` right after `prev` in its master's list. */
export function addSlaveBehind(m: Mount, prev: Mount): void {
  m.prevSlave = prev;
  m.nextSlave = prev.nextSlave;
  if (prev.nextSlave !== null) prev.nextSlave.prevSlave = m;
  prev.nextSlave = m;
}

/** hlist_del_init(&m->mnt_slave): `m` leaves the slave list of its master, if it is on one. */
export function deleteSlave(m: Mount): void {
  const master = m.master;
  if (master === null) return;
  if (m.prevSlave === null) master.firstSlave = m.nextSlave;
  else m.prevSlave.nextSlave = m.nextSlave;
  if (m.nextSlave !== null) m.nextSlave.prevSlave = m.prevSlave;
  m.prevSlave = m.nextSlave = null;
}

/** hlist_splice_init(&from->mnt_slave_list, last, &to->mnt_slave_list): from's slaves go, in order, to the front of to's. */
export function spliceSlaves(from: Mount, last: Mount, to: Mount): void {
  const first = from.firstSlave!;
  last.nextSlave = to.firstSlave;
  if (to.firstSlave !== null) to.firstSlave.prevSlave = last;
  first.prevSlave = null;
  to.firstSlave = first;
  from.firstSlave = null;
}

/** list_splice(&from->mnt_slave_list, to->mnt_slave_list.prev) (Linux 6.12's list_head): from's slaves go, in order, to the tail of to's. */
export function spliceSlavesAtTail(from: Mount, to: Mount): void {
  const first = from.firstSlave!;
  const tail = lastSlave(to);
  first.prevSlave = tail;
  if (tail === null) to.firstSlave = first;
  else tail.nextSlave = first;
  from.firstSlave = null;
}

/** last_slave(): the last of the slaves of `master` (a walk: the hlist keeps no tail). */
export function lastSlave(master: Mount): Mount | null {
  let m = master.firstSlave;
  while (m?.nextSlave) m = m.nextSlave;
  return m;
}

/** The slaves of `master`, in list order. */
export function* slavesOf(master: Mount): Generator<Mount> {
  for (let slave = master.firstSlave; slave !== null; slave = slave.nextSlave) yield slave;
}

/** The ring of `m`, starting at `m`. */
export function* ringOf(m: Mount): Generator<Mount> {
  let p = m;
  do {
    yield p;
    p = p.nextPeer;
  } while (p !== m);
}

// ---- the namespace's table (ns->mounts) -------------------------------------------------------

/**
 * ns->mounts: the mounts of the namespace in mnt_id_unique order, which is the order mountinfo
 * shows. The kernel keeps an rb-tree (a list before 6.8); a mount joins only as the newest, so here
 * it is a list that takes new mounts at its tail (mnt_add_to_ns()), linked through the mounts.
 */
export class MountTable implements Iterable<Mount> {
  private first: Mount | null = null;
  private last: Mount | null = null;
  /** nr_mounts. */
  size = 0;

  /** Whether `m` is in the table. */
  has(m: Mount): boolean {
    return m.prevInNs !== null || this.first === m;
  }

  /** mnt_add_to_ns(): `m`, newer than every mount of the table, joins it at the tail. */
  add(m: Mount): void {
    m.prevInNs = this.last;
    m.nextInNs = null;
    if (this.last === null) this.first = m;
    else this.last.nextInNs = m;
    this.last = m;
    this.size++;
  }

  /** rb_erase(&m->mnt_node, &ns->mounts): `m` leaves the table, if it is in it. */
  delete(m: Mount): void {
    if (!this.has(m)) return;
    if (m.prevInNs === null) this.first = m.nextInNs;
    else m.prevInNs.nextInNs = m.nextInNs;
    if (m.nextInNs === null) this.last = m.prevInNs;
    else m.nextInNs.prevInNs = m.prevInNs;
    m.prevInNs = m.nextInNs = null;
    this.size--;
  }

  *[Symbol.iterator](): Iterator<Mount> {
    for (let m = this.first; m !== null; m = m.nextInNs) yield m;
  }
}
