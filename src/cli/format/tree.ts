// The mount tree as `findmnt -o TARGET,SOURCE,FSTYPE,PROPAGATION` draws it, with peer groups and
// masters spelled out so that who propagates to whom is visible at a glance.
import { groupBy } from '../../core/group-by.js';
import { isAtOrUnder } from '../../core/place.js';
import type { MountInfo } from '../../mountinfo/types.js';

/** A mount's propagation, as mountinfo's optional fields name it: `shared:1 master:2`, `private`. */
export function propagationOf(mount: MountInfo): string {
  const fields = [];
  if (mount.shared !== undefined) fields.push(`shared:${mount.shared}`);
  if (mount.master !== undefined) fields.push(`master:${mount.master}`);
  if (mount.propagateFrom !== undefined) fields.push(`propagate_from:${mount.propagateFrom}`);
  if (mount.unbindable) fields.push('unbindable');
  return fields.length > 0 ? fields.join(' ') : 'private';
}

/** findmnt's SOURCE: the source, and the root inside the filesystem when it is not the whole. */
function sourceOf(mount: MountInfo): string {
  return mount.root === '/' ? mount.source : `${mount.source}[${mount.root}]`;
}

/** Mounts in tree order with their depth-drawing prefix; roots are mounts whose parent is absent. */
function treeRows(mounts: readonly MountInfo[]): { prefix: string; mount: MountInfo }[] {
  const ids = new Set(mounts.map((m) => m.id));
  const isRoot = (mount: MountInfo) => mount.parentId === mount.id || !ids.has(mount.parentId);
  const children = groupBy(mounts, (mount) => (isRoot(mount) ? null : mount.parentId));
  const roots = mounts.filter(isRoot);
  const rows: { prefix: string; mount: MountInfo }[] = [];
  // Depth first with a stack of its own, not recursion: a tree may be 10,000 mounts deep.
  const stack = roots.map((mount) => ({ mount, lead: '', branch: '' })).reverse();
  for (let next = stack.pop(); next; next = stack.pop()) {
    const { mount, lead, branch } = next;
    rows.push({ prefix: branch, mount });
    const kids = children.get(mount.id) ?? [];
    for (let i = kids.length - 1; i >= 0; i--) {
      const last = i === kids.length - 1;
      stack.push({ mount: kids[i]!, lead: `${lead}${last ? '  ' : '│ '}`, branch: `${lead}${last ? '└─' : '├─'}` });
    }
  }
  return rows;
}

/** The widest cell of a column, in code points (a loop: a spread of 100,000 rows overflows the stack). */
function columnWidth(table: readonly string[][], column: number): number {
  let width = 0;
  for (const row of table) width = Math.max(width, codePoints(row[column]!));
  return width;
}

/** The length of `text` in code points, as a terminal column count. */
function codePoints(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/** The mounts at or under `under` (all when undefined). */
export function mountsUnder(mounts: readonly MountInfo[], under: string | undefined): MountInfo[] {
  if (under === undefined) return [...mounts];
  const dir = under.replace(/(.)\/+$/, '$1');
  return mounts.filter((m) => isAtOrUnder(m.mountPoint, dir));
}

/** The mounts in the order the tree lists them: each after its parent, depth first. */
export function inTreeOrder(mounts: readonly MountInfo[]): MountInfo[] {
  return treeRows(mounts).map((row) => row.mount);
}

/** Which namespace of a set each mount lives in, by mount id (ids are system-wide). */
export type NamespaceOf = ReadonlyMap<number, string>;

/**
 * The table findmnt would print: a header and one row a mount, columns padded; for the mounts of a
 * set of namespaces (`namespaceOf`), a NAMESPACE column first, each namespace's tree in turn.
 */
export function renderTree(mounts: readonly MountInfo[], namespaceOf?: NamespaceOf): string {
  const rows = treeRows(mounts).map(({ prefix, mount }) => [
    ...(namespaceOf ? [namespaceOf.get(mount.id)!] : []),
    `${prefix}${mount.mountPoint}`,
    sourceOf(mount),
    mount.fsType,
    propagationOf(mount),
  ]);
  const table = [[...(namespaceOf ? ['NAMESPACE'] : []), 'TARGET', 'SOURCE', 'FSTYPE', 'PROPAGATION'], ...rows];
  const last = table[0]!.length - 1;
  const widths = table[0]!.map((_, column) => columnWidth(table, column));
  return table.map((row) => row.map((cell, i) => (i < last ? cell.padEnd(widths[i]! + cell.length - codePoints(cell)) : cell)).join(' ')).join('\n') + '\n';
}
