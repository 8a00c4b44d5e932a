// A form of a mount table for comparing two namespaces: a real kernel and the model, two
// namespaces built by the same steps, or a dumped namespace and its restore.
//
// What is kept: the mounts at or under `under`, with mount points made relative to it ("/" is
// `under` itself). What is renumbered, by order of first appearance, starting at 1:
// - mount ids and parent ids, in one numbering (a parent outside `under` is numbered too, so two
//   mounts on the same outside mount keep sharing a parent and two on different ones do not);
// - peer-group ids of shared:, master: and propagate_from:, in one numbering;
// - devices: each distinct major:minor becomes 0:N.
// Roots (the directory of the superblock a mount shows), fs types and sources are kept as they are.
//
// Options that legitimately differ between two equal topologies (a tmpfs `size=` that depends on
// RAM, a scratch mount's `mode=`, an option the model does not track) are the caller's choice:
// `mountOptions` and `superOptions` take an OptionPolicy, and both default to 'keep' so that
// nothing is hidden unless the comparison asks for it.
//
// Order: 'kernel' (default) keeps mountinfo's order, which a model must reproduce. 'tree' sorts
// the mounts depth first, parents before children and siblings by mount point (then root, fs
// type, source, options), so a restore that created mounts in another order still compares equal.
import { groupBy } from '../core/group-by.js';
import { isAtOrUnder } from '../core/place.js';
import type { MountInfo } from './types.js';

/**
 * What to do with an options field:
 * - 'keep': verbatim;
 * - 'rw': only its leading "rw" or "ro";
 * - `{ drop: [...] }`: without the named options (`size` drops `size=1024k`).
 */
export type OptionPolicy = 'keep' | 'rw' | { readonly drop: readonly string[] };

export interface NormalizeOptions {
  /** Keep only mounts at or under this absolute path, made relative to it. Default "/". */
  under?: string;
  /** 'kernel' keeps mountinfo's order, 'tree' sorts depth first by mount point. Default 'kernel'. */
  order?: 'kernel' | 'tree';
  /** Per-mount options (field 6). Default 'keep'. */
  mountOptions?: OptionPolicy;
  /** Superblock options (field 11). Default 'keep'. */
  superOptions?: OptionPolicy;
}

/** `entries` in comparable form: filtered to `under`, relative paths, ids renumbered. */
export function normalize(entries: readonly MountInfo[], options: NormalizeOptions = {}): MountInfo[] {
  return normalizeTogether([entries], options)[0]!;
}

/**
 * Several tables of one system (the mount namespaces of one run, each read by a process of it) in
 * comparable form, in one numbering: mount ids, peer groups and devices are system-wide, so a peer
 * group that spans namespaces gets the same number in each table. Numbers go by first appearance,
 * table after table.
 */
export function normalizeTogether(tables: readonly (readonly MountInfo[])[], options: NormalizeOptions = {}): MountInfo[][] {
  const under = normalizeDirectory(options.under ?? '/');
  const context: Context = {
    under,
    mountOptions: options.mountOptions ?? 'keep',
    superOptions: options.superOptions ?? 'keep',
    mounts: new Renumbering(),
    groups: new Renumbering(),
    devices: new Renumbering(),
  };
  return tables.map((entries) => {
    const kept = entries.filter((e) => isAtOrUnder(e.mountPoint, under));
    const ordered = options.order === 'tree' ? treeOrder(kept) : kept;
    return ordered.map((e) => normalizeEntry(e, context));
  });
}

/** What normalizing one entry needs: the settings and the numberings shared by all entries. */
interface Context {
  under: string;
  mountOptions: OptionPolicy;
  superOptions: OptionPolicy;
  mounts: Renumbering;
  groups: Renumbering;
  devices: Renumbering;
}

/** A copy of `e` with its numbers renumbered, its mount point relative and its options reduced. */
function normalizeEntry(e: MountInfo, c: Context): MountInfo {
  const n: MountInfo = {
    id: c.mounts.of(e.id),
    parentId: c.mounts.of(e.parentId),
    major: 0,
    minor: c.devices.of(`${e.major}:${e.minor}`),
    root: e.root,
    mountPoint: relativeTo(e.mountPoint, c.under),
    mountOptions: applyPolicy(e.mountOptions, c.mountOptions),
    unbindable: e.unbindable,
    otherOptional: [...e.otherOptional],
    fsType: e.fsType,
    source: e.source,
    superOptions: applyPolicy(e.superOptions, c.superOptions),
  };
  if (e.shared !== undefined) n.shared = c.groups.of(e.shared);
  if (e.master !== undefined) n.master = c.groups.of(e.master);
  if (e.propagateFrom !== undefined) n.propagateFrom = c.groups.of(e.propagateFrom);
  return n;
}

/** Numbers keys 1, 2, 3... in the order they are first asked for. */
class Renumbering {
  private readonly numbers = new Map<number | string, number>();

  /** The number of `key`, assigned on first use. */
  of(key: number | string): number {
    let n = this.numbers.get(key);
    if (n === undefined) {
      n = this.numbers.size + 1;
      this.numbers.set(key, n);
    }
    return n;
  }
}

/** An absolute directory without a trailing slash ("/" stays "/"). */
function normalizeDirectory(path: string): string {
  if (!path.startsWith('/')) throw new TypeError(`normalize: "under" must be an absolute path, got "${path}"`);
  const trimmed = path.replace(/\/+$/, '');
  return trimmed === '' ? '/' : trimmed;
}

/** `path` relative to `dir`, written absolute: `dir` itself is "/". */
function relativeTo(path: string, dir: string): string {
  if (dir === '/') return path;
  return path === dir ? '/' : path.slice(dir.length);
}

/** An options field reduced as `policy` says. */
function applyPolicy(options: string, policy: OptionPolicy): string {
  if (policy === 'keep') return options;
  const all = options.split(',');
  if (policy === 'rw') return all[0] ?? '';
  const drop = new Set(policy.drop);
  return all.filter((option, i) => i === 0 || !drop.has(optionName(option))).join(',');
}

/** The name of "name=value" or "name". */
function optionName(option: string): string {
  const eq = option.indexOf('=');
  return eq === -1 ? option : option.slice(0, eq);
}

/** `entries` depth first from the mounts whose parent is not among them, siblings sorted. */
function treeOrder(entries: readonly MountInfo[]): MountInfo[] {
  const ids = new Set(entries.map((e) => e.id));
  const isTop = (e: MountInfo) => e.parentId === e.id || !ids.has(e.parentId);
  const children = groupBy(entries, (e) => (isTop(e) ? null : e.parentId));
  const tops = entries.filter(isTop);
  const out: MountInfo[] = [];
  const stack = sortSiblings(tops).reverse();
  for (let e = stack.pop(); e !== undefined; e = stack.pop()) {
    out.push(e);
    const sorted = sortSiblings(children.get(e.id) ?? []);
    for (let i = sorted.length - 1; i >= 0; i--) stack.push(sorted[i]!);
  }
  if (out.length !== entries.length) throw new Error('normalize: the parent ids of some mounts form a cycle');
  return out;
}

/** Siblings by mount point, then by the other fields that do not depend on numbering. */
function sortSiblings(siblings: readonly MountInfo[]): MountInfo[] {
  return [...siblings].sort((a, b) => compareStrings(siblingKey(a), siblingKey(b)));
}

/** The sort key of a mount among its siblings: its fields that survive renumbering. */
function siblingKey(e: MountInfo): string {
  return [e.mountPoint, e.root, e.fsType, e.source, e.mountOptions, e.superOptions].join('\0');
}

/** Code-unit order, independent of locale. */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
