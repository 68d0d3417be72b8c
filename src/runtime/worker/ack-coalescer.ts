/**
 * A thread's acks, coalesced per tree root within one loop round: a sentence's dozen word
 * acks become one message to its acker (XOR is associative, so the acker sees the same sum;
 * the thread bits are ORed). Typed columns under open addressing (see root-table.ts): the
 * `spoutTask` column holds the acking task and `gen` its ack stream's code, so a round
 * allocates nothing per root but the message it finally sends.
 */
import { RootTable } from '../acker/root-table.js';
import { ackerOfRoot, ackMessage } from '../../topology/acker-protocol.js';
import type { StreamInfo } from './streams.js';

export type AckSend = (ackerTask: number, info: StreamInfo, sourceTask: number, values: unknown[]) => void;

export class AckCoalescer {
  private readonly table = new RootTable();
  /** The round's roots in arrival order, the first `count` of them (numbers: kept, not emptied). */
  private readonly roots: number[] = [];
  private count = 0;
  /** Their slots, found while sending, so the round's reset touches only those. */
  private readonly slots: number[] = [];

  constructor(
    /** Acker task per spout task id (see ackerOfRoot). */
    private readonly ackerFor: readonly number[],
    private readonly byCode: readonly StreamInfo[],
  ) {}

  get pending(): number {
    return this.count;
  }

  add(info: StreamInfo, sourceTask: number, root: number, hi: number, lo: number, workers: number): void {
    const a = this.table;
    const before = a.size;
    const i = a.upsert(root, info.code);
    if (a.size !== before) {
      a.spoutTask[i] = sourceTask;
      this.roots[this.count++] = root;
    }
    a.hi[i] ^= hi;
    a.lo[i] ^= lo;
    a.workers[i] |= workers;
  }

  /**
   * Hand every coalesced ack to `send` and start a new round. `send` must not ack again
   * synchronously (the host's deliver only queues or batches).
   */
  flush(send: AckSend): void {
    const roots = this.roots;
    const n = this.count;
    if (n === 0) return;
    const a = this.table;
    const slots = this.slots;
    for (let k = 0; k < n; k++) {
      const root = roots[k]!;
      const i = a.find(root);
      slots[k] = i;
      send(ackerOfRoot(root, this.ackerFor), this.byCode[a.gen[i]!]!, a.spoutTask[i]!, ackMessage(root, a.hi[i]!, a.lo[i]!, a.workers[i]!));
    }
    // Every entry goes, so zeroing their slots empties the table (no probe run to repair).
    a.clearSlots(slots, n);
    this.count = 0;
  }
}
