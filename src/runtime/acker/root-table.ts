/**
 * Per-root state for the acker and for a thread's ack coalescing, in typed columns under
 * open addressing (linear probing) instead of a Map of objects. A root id is never 0
 * (acker-protocol.ts), so 0 marks a free slot. A Map keyed
 * by such 53-bit numbers boxes every key and allocates an entry object per tree; at hundreds
 * of thousands of trees a second that was a tenth of the acker thread's time plus its share
 * of GC. Columns: the XOR halves, the spout task (-1 until known), the threads reached, a
 * generation (for expiry) and a failed flag.
 */
import { rootSeq, rootSpoutTask } from '../../topology/acker-protocol.js';

const MIN_CAPACITY = 1024;

/** Mix the two 32-bit halves of a root into a slot index (Murmur3-style finaliser). */
function slotOf(root: number, mask: number): number {
  let h = rootSeq(root) ^ Math.imul(rootSpoutTask(root), 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) & mask;
}

export class RootTable {
  roots!: Float64Array;
  hi!: Int32Array;
  lo!: Int32Array;
  spoutTask!: Int32Array;
  workers!: Int32Array;
  gen!: Int32Array;
  failed!: Uint8Array;
  private mask = 0;
  size = 0;

  constructor(capacity = MIN_CAPACITY) {
    let cap = MIN_CAPACITY;
    while (cap < capacity) cap *= 2;
    this.allocate(cap);
  }

  get capacity(): number {
    return this.mask + 1;
  }

  private allocate(cap: number): void {
    this.roots = new Float64Array(cap);
    this.hi = new Int32Array(cap);
    this.lo = new Int32Array(cap);
    this.spoutTask = new Int32Array(cap);
    this.workers = new Int32Array(cap);
    this.gen = new Int32Array(cap);
    this.failed = new Uint8Array(cap);
    this.mask = cap - 1;
  }

  /** Slot holding `root`, or -1. */
  find(root: number): number {
    const roots = this.roots;
    const mask = this.mask;
    for (let i = slotOf(root, mask); ; i = (i + 1) & mask) {
      const r = roots[i]!;
      if (r === root) return i;
      if (r === 0) return -1;
    }
  }

  /** Slot holding `root`, creating a zeroed entry (spout task -1, generation `gen`) if absent. */
  upsert(root: number, gen: number): number {
    if ((this.size + 1) * 2 > this.mask + 1) this.grow();
    const roots = this.roots;
    const mask = this.mask;
    let i = slotOf(root, mask);
    for (; ; i = (i + 1) & mask) {
      const r = roots[i]!;
      if (r === root) return i;
      if (r === 0) break;
    }
    roots[i] = root;
    this.hi[i] = 0;
    this.lo[i] = 0;
    this.spoutTask[i] = -1;
    this.workers[i] = 0;
    this.gen[i] = gen;
    this.failed[i] = 0;
    this.size++;
    return i;
  }

  /**
   * Free a slot. Backward-shift deletion: later entries of the same probe run move up so
   * lookups never stop early at the hole (no tombstones to accumulate).
   */
  remove(slot: number): void {
    const roots = this.roots;
    const mask = this.mask;
    let hole = slot;
    let j = slot;
    for (;;) {
      j = (j + 1) & mask;
      const r = roots[j]!;
      if (r === 0) break;
      const home = slotOf(r, mask);
      // Move j into the hole when its home is not cyclically within (hole, j].
      const between = hole <= j ? home > hole && home <= j : home > hole || home <= j;
      if (!between) {
        this.copy(j, hole);
        hole = j;
      }
    }
    roots[hole] = 0;
    this.size--;
  }

  /**
   * Forget everything, given the slot of every entry (the first `n` of `slots`): costs the entries, not the capacity
   * (a table grown by one burst would otherwise be wiped whole on every later round).
   */
  clearSlots(slots: readonly number[], n = slots.length): void {
    for (let k = 0; k < n; k++) this.roots[slots[k]!] = 0;
    this.size = 0;
  }

  private copy(from: number, to: number): void {
    this.roots[to] = this.roots[from]!;
    this.hi[to] = this.hi[from]!;
    this.lo[to] = this.lo[from]!;
    this.spoutTask[to] = this.spoutTask[from]!;
    this.workers[to] = this.workers[from]!;
    this.gen[to] = this.gen[from]!;
    this.failed[to] = this.failed[from]!;
  }

  private grow(): void {
    const old = { roots: this.roots, hi: this.hi, lo: this.lo, spoutTask: this.spoutTask, workers: this.workers, gen: this.gen, failed: this.failed };
    this.allocate((this.mask + 1) * 2);
    this.size = 0;
    for (let k = 0; k < old.roots.length; k++) {
      const r = old.roots[k]!;
      if (r === 0) continue;
      const i = this.upsert(r, old.gen[k]!);
      this.hi[i] = old.hi[k]!;
      this.lo[i] = old.lo[k]!;
      this.spoutTask[i] = old.spoutTask[k]!;
      this.workers[i] = old.workers[k]!;
      this.failed[i] = old.failed[k]!;
    }
  }
}
