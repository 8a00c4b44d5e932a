// A readable difference between two mount tables, for test failures.
import { render } from './render.js';
import type { MountInfo } from './types.js';

/** Mountinfo text, or entries to render as such. */
export type MountTable = string | readonly MountInfo[];

/**
 * `undefined` when the two tables render to the same text; otherwise a message naming the first
 * differing line with both sides and a caret under the first differing character.
 */
export function diffMountinfo(expected: MountTable, actual: MountTable): string | undefined {
  const a = lines(expected);
  const b = lines(actual);
  const count = Math.max(a.length, b.length);
  for (let i = 0; i < count; i++) {
    const left = a[i];
    const right = b[i];
    if (left === right) continue;
    const column = firstDifference(left ?? '', right ?? '');
    return [
      `mountinfo differs at line ${i + 1} (expected ${a.length} lines, actual ${b.length}):`,
      `  expected: ${left ?? '(no line)'}`,
      `  actual:   ${right ?? '(no line)'}`,
      `            ${' '.repeat(column)}^`,
    ].join('\n');
  }
  return undefined;
}

/** The lines of a table, without the newline that ends each. */
function lines(table: MountTable): string[] {
  const text = typeof table === 'string' ? table : render(table);
  const all = text.split('\n');
  if (all[all.length - 1] === '') all.pop();
  return all;
}

/** Index of the first character where `a` and `b` differ. */
function firstDifference(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}
