// One helper the tree walks share (restore's plan, normalize's tree order, show's tree): lists of
// items by key in one pass. Pure: imports nothing, so the model and src/mountinfo may use it.

/** `items` by `keyOf(item)`, each list in the order of `items`; items whose key is null are left out. */
export function groupBy<K, T>(items: Iterable<T>, keyOf: (item: T) => K | null): Map<K, T[]> {
  const lists = new Map<K, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    if (key === null) continue;
    const list = lists.get(key);
    if (list) list.push(item);
    else lists.set(key, [item]);
  }
  return lists;
}
