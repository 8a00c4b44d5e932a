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
// Version 3 is a set of mount namespaces (TopologySet: what `dump --pid P1 --pid P2` writes): each
// namespace once, named, with its user namespace and its mounts as version 2 has them; mount ids
// are unique across the set and peer groups are the system's, so a group with members in three
// namespaces is one group of the document. loadTopologySet() reads it, and reads a version 1 or 2
// document as a set of one namespace.
import { isAtOrUnder, isNormalAbsolute } from '../core/place.js';

export const TOPOLOGY_SCHEMA = 'mount-set-group/topology';
export const TOPOLOGY_VERSION = 2;
/** The versions loadTopology() reads: each older one is read as the current one. */
export const TOPOLOGY_VERSIONS_READ: readonly number[] = [1, 2];
/** The version of a document holding a set of mount namespaces. */
export const TOPOLOGY_SET_VERSION = 3;

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

/** One mount namespace of a set: its name, its user namespace, and its mounts at or under `under`. */
export interface NamespaceTopology {
  /** What the set calls it: a word (letters, digits, '.', '_', '-'), unique in the set; a restore names files after it. */
  name: string;
  /**
   * The user namespace that owns it: null for the dumping process's own (a restore's is its own
   * then), else a name that the namespaces owned by one user namespace share.
   */
  user: string | null;
  /** The absolute directory the dump was taken under, in this namespace. */
  under: string;
  /** In the kernel's order; ids unique across the whole set. */
  mounts: TopologyMount[];
}

/** A set of mount namespaces (version 3): peer groups and masters are the system's, shared across namespaces. */
export interface TopologySet {
  schema: typeof TOPOLOGY_SCHEMA;
  version: typeof TOPOLOGY_SET_VERSION;
  namespaces: NamespaceTopology[];
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

/** The most mounts a document may hold, in all its namespaces. */
const MAX_MOUNTS = 1_000_000;
/** The most namespaces a set may hold. */
const MAX_NAMESPACES = 10_000;

/** Every version this package reads, with one reader or the other. */
const ALL_VERSIONS: readonly number[] = [...TOPOLOGY_VERSIONS_READ, TOPOLOGY_SET_VERSION];

/** "1, 2 and 3". */
const listed = (versions: readonly number[]): string => `${versions.slice(0, -1).join(', ')} and ${versions.at(-1)}`;

/** The schema and the version, which must be one of `versions` (a version the other reader reads: `elsewhere` says so); returns the version. */
function checkHeader(value: Record<string, unknown>, versions: readonly number[], elsewhere = ''): number {
  if (value.schema !== TOPOLOGY_SCHEMA) throw new TopologyError('schema', `must be '${TOPOLOGY_SCHEMA}', not ${JSON.stringify(value.schema)}`);
  const { version } = value;
  if (typeof version === 'number' && versions.includes(version)) return version;
  if (typeof version === 'number' && ALL_VERSIONS.includes(version)) throw new TopologyError('version', `${version} ${elsewhere}`);
  throw new TopologyError('version', `${JSON.stringify(version)} is not a version this package reads (it reads ${listed(ALL_VERSIONS)})`);
}

/** No fields but `known` at `at`. */
function checkKnownFields(value: Record<string, unknown>, known: readonly string[], at = ''): void {
  const unknown = Object.keys(value).find((key) => !known.includes(key));
  if (unknown !== undefined) throw new TopologyError(`${at}${unknown}`, 'is not a field of the schema');
}

/** The mounts of one namespace (a version 1 or later one), checked field by field; `at` prefixes the fields' names. */
function checkMounts(value: unknown, version: number, at: string): TopologyMount[] {
  if (!Array.isArray(value)) throw new TopologyError(`${at}mounts`, 'must be an array');
  if (value.length > MAX_MOUNTS) throw new TopologyError(`${at}mounts`, 'holds more than 1,000,000 mounts');
  return value.map((mount, i): TopologyMount =>
    version === 1
      ? { ...checkFields<Omit<TopologyMount, 'file'>>(mount, `${at}mounts[${i}]`, mountFieldsVersion1), file: null }
      : checkFields<TopologyMount>(mount, `${at}mounts[${i}]`, mountFields),
  );
}

/** A topology document (version 1 or 2: one namespace), checked field by field and against its invariants. */
export function loadTopology(value: unknown): Topology {
  if (!isObject(value)) throw new TopologyError('document', 'must be a JSON object');
  const version = checkHeader(value, TOPOLOGY_VERSIONS_READ, 'holds a set of mount namespaces, which loadTopologySet() reads');
  checkKnownFields(value, ['schema', 'version', 'under', 'mounts']);
  const under = normalPath(value.under, 'under');
  const mounts = checkMounts(value.mounts, version, '');
  checkTree(mounts);
  return { schema: TOPOLOGY_SCHEMA, version: TOPOLOGY_VERSION, under, mounts };
}

/** A name of the set (a namespace's, a user namespace's): it names files, so a plain word. */
const word: Checker<string> = (value, at) => {
  const text = string(value, at);
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(text)) {
    throw new TopologyError(at, `must be a word of 1 to 64 letters, digits, '.', '_' or '-' (not starting with one of the last three), not ${JSON.stringify(text)}`);
  }
  return text;
};

/** One namespace of a set. */
function checkNamespace(value: unknown, at: string): NamespaceTopology {
  if (!isObject(value)) throw new TopologyError(at, 'must be an object');
  checkKnownFields(value, ['name', 'user', 'under', 'mounts'], `${at}.`);
  for (const key of ['name', 'user', 'under', 'mounts']) if (!(key in value)) throw new TopologyError(`${at}.${key}`, 'is missing');
  return {
    name: word(value.name, `${at}.name`),
    user: orNull(word)(value.user, `${at}.user`),
    under: normalPath(value.under, `${at}.under`),
    mounts: checkMounts(value.mounts, 2, `${at}.`),
  };
}

/** Names are unique, mount ids unique across the set (the kernel's are system-wide), and each namespace's tree holds. */
function checkSet(namespaces: readonly NamespaceTopology[]): void {
  const names = new Set<string>();
  const ids = new Map<number, string>();
  let total = 0;
  namespaces.forEach((namespace, n) => {
    if (names.has(namespace.name)) throw new TopologyError(`namespaces[${n}].name`, `'${namespace.name}' names two namespaces`);
    names.add(namespace.name);
    total += namespace.mounts.length;
    if (total > MAX_MOUNTS) throw new TopologyError(`namespaces[${n}].mounts`, 'the set holds more than 1,000,000 mounts');
    namespace.mounts.forEach((mount, i) => {
      const other = ids.get(mount.id);
      if (other !== undefined) throw new TopologyError(`namespaces[${n}].mounts[${i}].id`, `${mount.id} is also a mount of namespace '${other}' (mount ids are system-wide)`);
      ids.set(mount.id, namespace.name);
    });
    try {
      checkTree(namespace.mounts);
    } catch (error) {
      if (!(error instanceof TopologyError)) throw error;
      throw new TopologyError(`namespaces[${n}].${error.at}`, error.message.slice(`topology ${error.at}: `.length));
    }
  });
}

/**
 * A set of mount namespaces (version 3), checked field by field and against its invariants; a
 * version 1 or 2 document is read as a set of one namespace, named `ns`, of the dumping process's
 * user namespace.
 */
export function loadTopologySet(value: unknown): TopologySet {
  if (!isObject(value)) throw new TopologyError('document', 'must be a JSON object');
  if (checkHeader(value, ALL_VERSIONS) !== TOPOLOGY_SET_VERSION) {
    const { under, mounts } = loadTopology(value);
    return { schema: TOPOLOGY_SCHEMA, version: TOPOLOGY_SET_VERSION, namespaces: [{ name: 'ns', user: null, under, mounts }] };
  }
  checkKnownFields(value, ['schema', 'version', 'namespaces']);
  if (!Array.isArray(value.namespaces)) throw new TopologyError('namespaces', 'must be an array');
  if (value.namespaces.length === 0) throw new TopologyError('namespaces', 'must hold at least one namespace');
  if (value.namespaces.length > MAX_NAMESPACES) throw new TopologyError('namespaces', `holds more than ${MAX_NAMESPACES} namespaces`);
  const namespaces = value.namespaces.map((namespace, n) => checkNamespace(namespace, `namespaces[${n}]`));
  checkSet(namespaces);
  return { schema: TOPOLOGY_SCHEMA, version: TOPOLOGY_SET_VERSION, namespaces };
}

/** Whether a document (JSON as parsed) says it is a set of namespaces: version 3. */
export function isSetDocument(value: unknown): boolean {
  return isObject(value) && value.version === TOPOLOGY_SET_VERSION;
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
