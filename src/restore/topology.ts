// The topology document: what `dump` writes and `restore` reads. Versioned JSON; every field is
// checked on the way in, so a corrupt or hostile document is refused before anything is mounted.
//
// Invariants (checked by loadTopology):
// - ids are unique; `parent` is null (the mount hangs from something outside the dump) or the id
//   of another mount of the document, and following parents never loops;
// - mount points are absolute, normalized ('/', '/a/b': no '.', '..', '//' or NUL), relative to
//   the directory the dump was taken under, and a child's lies at or under its parent's;
// - roots are absolute and normalized; `superblock` is "MAJOR:MINOR";
// - at most one mount of a given parent sits on a given mount point (a stack is a parent chain).
//
// Versions: 2 added `file` to each mount. A version 1 document is read as version 2 whose mounts
// say nothing of their type (`file: null`), which a restore treats as directories, as it always did.
import { isAtOrUnder, isNormalAbsolute } from '../core/place.js';

export const TOPOLOGY_SCHEMA = 'mount-set-group/topology';
export const TOPOLOGY_VERSION = 2;
/** The versions loadTopology() reads: each older one is read as the current one. */
export const TOPOLOGY_VERSIONS_READ: readonly number[] = [1, 2];

export interface TopologyMount {
  /** Mount id when dumped; used only to link `parent`. */
  id: number;
  /** The parent's id, or null for a mount whose parent lies outside the dump. */
  parent: number | null;
  /** Relative to the dump's directory: '/' is that directory itself. */
  mountPoint: string;
  /** The directory of the superblock this mount shows. */
  root: string;
  fsType: string;
  source: string;
  /** "MAJOR:MINOR" of the superblock: mounts with the same one show the same filesystem. */
  superblock: string;
  mountOptions: string;
  superOptions: string;
  /** The peer group (shared:N), or null. */
  group: number | null;
  /** The group this mount receives propagation from (master:N), or null. */
  master: number | null;
  /** propagate_from:N: the nearest group the dumping process could see, when the master was hidden. */
  propagateFrom: number | null;
  unbindable: boolean;
  /**
   * Whether the mount's root, and so its mount point (the kernel binds files only onto files), is a
   * file rather than a directory; null where the dump could not tell (a saved mountinfo, a mount
   * point covered from above).
   */
  file: boolean | null;
}

export interface Topology {
  schema: typeof TOPOLOGY_SCHEMA;
  version: typeof TOPOLOGY_VERSION;
  /** The absolute directory the dump was taken under. */
  under: string;
  /** In the kernel's order (creation order). */
  mounts: TopologyMount[];
}

/** A topology document that breaks the schema or its invariants; `at` names the field. */
export class TopologyError extends Error {
  override name = 'TopologyError';
  readonly code = 'ERR_TOPOLOGY';
  readonly at: string;

  constructor(at: string, problem: string) {
    super(`topology ${at}: ${problem}`);
    this.at = at;
  }
}

type Checker<T> = (value: unknown, at: string) => T;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export { isNormalAbsolute };

const string: Checker<string> = (value, at) => {
  if (typeof value !== 'string') throw new TopologyError(at, `must be a string, not ${JSON.stringify(value) ?? typeof value}`);
  if (value.includes('\0')) throw new TopologyError(at, 'must not contain NUL bytes');
  if (value.length > 4096) throw new TopologyError(at, 'is longer than 4096 characters');
  return value;
};

const normalPath: Checker<string> = (value, at) => {
  const path = string(value, at);
  if (!isNormalAbsolute(path)) throw new TopologyError(at, `must be an absolute path without '.', '..' or empty components, not '${path}'`);
  return path;
};

const id: Checker<number> = (value, at) => {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 2 ** 31 - 1) {
    throw new TopologyError(at, `must be an integer from 0 to 2^31-1, not ${JSON.stringify(value)}`);
  }
  return value;
};

const orNull = <T>(check: Checker<T>): Checker<T | null> => (value, at) => (value === null ? null : check(value, at));

const boolean: Checker<boolean> = (value, at) => {
  if (typeof value !== 'boolean') throw new TopologyError(at, `must be true or false, not ${JSON.stringify(value)}`);
  return value;
};

const superblock: Checker<string> = (value, at) => {
  const text = string(value, at);
  if (!/^\d{1,10}:\d{1,10}$/.test(text)) throw new TopologyError(at, `must be "MAJOR:MINOR", not '${text}'`);
  return text;
};

const mountFields: { [K in keyof TopologyMount]: Checker<TopologyMount[K]> } = {
  id,
  parent: orNull(id),
  mountPoint: normalPath,
  root: normalPath,
  fsType: string,
  source: string,
  superblock,
  mountOptions: string,
  superOptions: string,
  group: orNull(id),
  master: orNull(id),
  propagateFrom: orNull(id),
  unbindable: boolean,
  file: orNull(boolean),
};

/** A version 1 mount: the fields of version 2 but `file`, which it reads as unknown. */
const { file: _addedInVersion2, ...mountFieldsVersion1 } = mountFields;

function checkFields<T>(value: unknown, at: string, fields: { [K in keyof T]: Checker<T[K]> }): T {
  if (!isObject(value)) throw new TopologyError(at, 'must be an object');
  const unknown = Object.keys(value).find((key) => !Object.hasOwn(fields, key)); // not `in`: __proto__, toString...
  if (unknown !== undefined) throw new TopologyError(`${at}.${unknown}`, 'is not a field of the schema');
  const result = {} as T;
  for (const key of Object.keys(fields) as (keyof T & string)[]) {
    if (!(key in value)) throw new TopologyError(`${at}.${key}`, 'is missing');
    result[key] = fields[key](value[key], `${at}.${key}`);
  }
  return result;
}

/** Parents exist, never loop, and hold their children's mount points; one mount per (parent, point). */
function checkTree(mounts: TopologyMount[]): void {
  const byId = new Map<number, TopologyMount>();
  mounts.forEach((mount, i) => {
    if (byId.has(mount.id)) throw new TopologyError(`mounts[${i}].id`, `${mount.id} appears twice`);
    byId.set(mount.id, mount);
  });
  const places = new Set<string>();
  mounts.forEach((mount, i) => {
    if (mount.parent === null) return;
    const parent = byId.get(mount.parent);
    if (!parent) throw new TopologyError(`mounts[${i}].parent`, `names mount ${mount.parent}, which is not in the document`);
    if (!isAtOrUnder(mount.mountPoint, parent.mountPoint)) {
      throw new TopologyError(`mounts[${i}].mountPoint`, `'${mount.mountPoint}' is not under its parent's mount point '${parent.mountPoint}'`);
    }
    const place = `${mount.parent} ${mount.mountPoint}`;
    if (places.has(place)) throw new TopologyError(`mounts[${i}]`, `a second mount on '${mount.mountPoint}' of mount ${mount.parent} (a stack must be a chain of parents)`);
    places.add(place);
  });
  checkAcyclic(mounts, byId);
}

/** Following parents from any mount ends outside the dump: each chain is walked once (deep trees stay linear). */
function checkAcyclic(mounts: TopologyMount[], byId: Map<number, TopologyMount>): void {
  const rooted = new Set<number>();
  mounts.forEach((mount, i) => {
    const chain = new Set<number>();
    for (let at: TopologyMount | undefined = mount; at && !rooted.has(at.id); at = at.parent === null ? undefined : byId.get(at.parent)) {
      if (chain.has(at.id)) throw new TopologyError(`mounts[${i}].parent`, 'the parents of this mount form a cycle');
      chain.add(at.id);
    }
    for (const id of chain) rooted.add(id);
  });
}

export { isAtOrUnder };

/** A topology document, checked field by field and against its invariants. */
export function loadTopology(value: unknown): Topology {
  if (!isObject(value)) throw new TopologyError('document', 'must be a JSON object');
  if (value.schema !== TOPOLOGY_SCHEMA) throw new TopologyError('schema', `must be '${TOPOLOGY_SCHEMA}', not ${JSON.stringify(value.schema)}`);
  if (typeof value.version !== 'number' || !TOPOLOGY_VERSIONS_READ.includes(value.version)) {
    throw new TopologyError('version', `${JSON.stringify(value.version)} is not a version this package reads (it reads ${TOPOLOGY_VERSIONS_READ.join(' and ')})`);
  }
  const unknown = Object.keys(value).find((key) => !['schema', 'version', 'under', 'mounts'].includes(key));
  if (unknown !== undefined) throw new TopologyError(unknown, 'is not a field of the schema');
  const under = normalPath(value.under, 'under');
  if (!Array.isArray(value.mounts)) throw new TopologyError('mounts', 'must be an array');
  if (value.mounts.length > 1_000_000) throw new TopologyError('mounts', 'holds more than 1,000,000 mounts');
  const mounts = value.mounts.map((mount, i): TopologyMount =>
    value.version === 1
      ? { ...checkFields<Omit<TopologyMount, 'file'>>(mount, `mounts[${i}]`, mountFieldsVersion1), file: null }
      : checkFields<TopologyMount>(mount, `mounts[${i}]`, mountFields),
  );
  checkTree(mounts);
  return { schema: TOPOLOGY_SCHEMA, version: TOPOLOGY_VERSION, under, mounts };
}

/** The longest proper prefix of `path` (absolute, normalized) that `known` holds; it must hold '/'. */
function longestKnownPrefix(path: string, known: ReadonlyMap<string, unknown>): string {
  let prefix = path;
  do prefix = prefix.slice(0, prefix.lastIndexOf('/')) || '/';
  while (!known.has(prefix));
  return prefix;
}

/**
 * Where a path lookup of each mount point ends once the tree is complete, walking from the top as
 * the kernel does: in the topmost mount there, or, where a mount covered from above left none on
 * that path, in the mount the path lies inside (undefined: outside the dump). A mount that is not
 * where its own mount point leads is covered. Mounts whose parent is outside the dump all hang from
 * one mount, the one that holds the dump's directory. A walk changes mounts only at mount points, so
 * where each mount point lands is found once, from where its nearest listed prefix landed: shorter
 * points first (a deep tree stays quadratic in its path length, not cubic).
 */
export function lookupLandings(mounts: readonly TopologyMount[]): Map<string, TopologyMount | undefined> {
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
  return landed;
}
