/**
 * A spout task's trees in flight. Root ids are `task * 2^32 + seq` with a sequence the spout
 * picks, so the low 32 bits index a power-of-two ring directly: no Map and no object per
 * tree on the hot path (a Map keyed by 53-bit numbers boxes every key). Timeouts compare a
 * timestamp per slot on a scan of the whole ring (a few thousand slots), which also finds
 * when the next tree is due.
 */
import { rootSeq } from '../../topology/acker-protocol.js';
import type { MessageId } from '../../api/components.js';

export class PendingTrees {
  private readonly roots: Float64Array;
  /** When the tree was emitted (complete latency). */
  private readonly emitted: Float64Array;
  /** When its timeout clock last started (emit, or a resetTimeout). */
  private readonly touched: Float64Array;
  private readonly msgIds: Array<MessageId | undefined>;
  private readonly mask: number;
  size = 0;
  /** The earliest timeout start among the trees left by the last `expire` (Infinity: none). */
  oldestTouch = Number.POSITIVE_INFINITY;

  constructor(maxPending: number) {
    let cap = 64;
    while (cap < maxPending * 2) cap *= 2;
    this.roots = new Float64Array(cap);
    this.emitted = new Float64Array(cap);
    this.touched = new Float64Array(cap);
    this.msgIds = new Array<MessageId | undefined>(cap).fill(undefined);
    this.mask = cap - 1;
  }

  /** The first sequence number from `seq` on whose slot is free (at least half are). */
  freeSeq(seq: number): number {
    while (this.roots[seq & this.mask] !== 0) seq = (seq + 1) >>> 0;
    return seq;
  }

  add(root: number, msgId: MessageId, now: number): void {
    const i = rootSeq(root) & this.mask;
    this.roots[i] = root;
    this.emitted[i] = now;
    this.touched[i] = now;
    this.msgIds[i] = msgId;
    this.size++;
  }

  /** Slot of a pending root, or -1 (already completed, failed or timed out). */
  find(root: number): number {
    const i = rootSeq(root) & this.mask;
    return this.roots[i] === root ? i : -1;
  }

  emittedAt(slot: number): number {
    return this.emitted[slot]!;
  }

  /** Free a slot and return its message id. */
  take(slot: number): MessageId {
    const id = this.msgIds[slot]!;
    this.roots[slot] = 0;
    this.msgIds[slot] = undefined;
    this.size--;
    return id;
  }

  touch(root: number, now: number): void {
    const i = this.find(root);
    if (i >= 0) this.touched[i] = now;
  }

  /** Take every tree whose clock started at or before `olderThan`; `oldestTouch` is then the survivors' earliest start. */
  expire(olderThan: number): MessageId[] {
    const out: MessageId[] = [];
    let oldest = Number.POSITIVE_INFINITY;
    if (this.size > 0) {
      for (let i = 0; i <= this.mask; i++) {
        if (this.roots[i] === 0) continue;
        const t = this.touched[i]!;
        if (t <= olderThan) out.push(this.take(i));
        else if (t < oldest) oldest = t;
      }
    }
    this.oldestTouch = oldest;
    return out;
  }

  takeAll(): MessageId[] {
    return this.expire(Infinity);
  }
}
