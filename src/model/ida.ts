// The kernel's ID allocator (lib/idr.c, ida_alloc_min/ida_free): every allocation returns the
// smallest id >= min that is not in use. Freed ids wait in a min-heap, so both calls are O(log n).
//
// Invariant: every id in `freed` is below `next`, and none is in use.
export class Ida {
  /** The smallest id never handed out. */
  private next: number;
  /** Freed ids, a binary min-heap. */
  private readonly freed: number[] = [];

  constructor(private readonly min: number) {
    this.next = min;
  }

  /** The ids handed out so far, in use or freed: [min, next). */
  get range(): { min: number; next: number } {
    return { min: this.min, next: this.next };
  }

  /** The ids freed and not handed out again (for the invariant checker). */
  freeIds(): readonly number[] {
    return this.freed;
  }

  /** ida_alloc_min(): the smallest free id. */
  alloc(): number {
    return this.freed.length > 0 ? this.popSmallest() : this.next++;
  }

  /** ida_free(): `id` may be handed out again. */
  free(id: number): void {
    const heap = this.freed;
    let i = heap.push(id) - 1;
    while (i > 0) {
      const up = (i - 1) >> 1;
      if (heap[up]! <= id) break;
      heap[i] = heap[up]!;
      i = up;
    }
    heap[i] = id;
  }

  private popSmallest(): number {
    const heap = this.freed;
    const smallest = heap[0]!;
    const last = heap.pop()!;
    if (heap.length === 0) return smallest;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && heap[right]! < heap[left]! ? right : left;
      if (heap[child]! >= last) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = last;
    return smallest;
  }
}
