/**
 * A spout task's side of its trees: the pending map with timeouts on the run's clock (so a
 * tree still fails when its acker's thread died), the acker's ack/fail/reset messages, the
 * spout's ack/fail calls, complete latency, and the status the supervisor reads.
 */
import type { CancelTimer } from '../../api/clock.js';
import type { Spout, FailReason, MessageId } from '../../api/components.js';
import {
  ACK_ACK_STREAM, ACK_FAIL_STREAM, ACK_RESET_STREAM, AT_FAIL_REASON, AT_ROOT, FAIL_THREAD_LOST,
} from '../../topology/acker-protocol.js';
import { PendingTrees } from '../acker/pending-trees.js';
import { buildHistogram, type TaskCounters } from '../metrics.js';
import type hdr from 'hdr-histogram-js';
import type { TaskHooks } from './task-hooks.js';
import type { TupleImpl } from './tuple-impl.js';
import type { ExecutorHost } from './executor.js';

/** Least clock time between two timeout scans. */
const MIN_SCAN_GAP_MS = 1;

export class SpoutTrees {
  latency!: hdr.Histogram;
  readonly pending: PendingTrees;
  /**
   * Message ids failed and not yet re-emitted: a re-emit of one counts as a replay. Those
   * left when the input has ended are trees that never completed (counters.dropped).
   */
  private readonly failedIds = new Set<MessageId>();
  /** Acks due at once (acking off, or no subscriber): run after nextTuple returns, not inside emit. */
  readonly immediateAcks: MessageId[] = [];
  private closed = false;
  /** Cancels the next timeout scan (null with timeouts off). */
  private cancelScan: CancelTimer | null = null;
  private readonly timeoutMs: number;

  constructor(
    private readonly host: ExecutorHost,
    private readonly taskId: number,
    private readonly spout: Spout,
    private readonly counters: TaskCounters,
    private readonly hooks: TaskHooks,
    maxPending: number,
  ) {
    this.pending = new PendingTrees(maxPending);
    this.timeoutMs = host.config.messageTimeoutMs;
  }

  /** After loadHdr(), before the spout's open. */
  start(): void {
    this.latency = buildHistogram();
  }

  /** After the spout's open: the first timeout scan. */
  armTimeouts(): void {
    if (this.host.tracking && this.host.config.enableMessageTimeouts) this.cancelScan = this.host.clock.after(this.timeoutMs, this.expire);
  }

  /** An emit with this message id: a re-emit of a failed one counts as a replay. */
  emitted(msgId: MessageId): void {
    if (this.failedIds.size > 0 && this.failedIds.delete(msgId)) {
      this.counters.replayed++;
      this.counters.dropped = this.failedIds.size;
    }
  }

  receive(t: TupleImpl): void {
    const root = t.values[AT_ROOT] as number;
    switch (t.info.stream) {
      case ACK_ACK_STREAM: {
        const slot = this.pending.find(root);
        if (slot < 0) return; // already timed out and failed
        this.counters.acked++;
        const latencyMs = this.host.now - this.pending.emittedAt(slot);
        this.latency.recordValue(Math.max(1, Math.round(latencyMs * 1000)));
        const msgId = this.pending.take(slot);
        this.callSpout('ack', msgId);
        if (this.hooks.on) this.hooks.spoutAck(msgId, latencyMs);
        break;
      }
      case ACK_FAIL_STREAM: {
        const slot = this.pending.find(root);
        if (slot < 0) return;
        this.failMsg(this.pending.take(slot), t.values[AT_FAIL_REASON] === FAIL_THREAD_LOST ? 'lost' : 'failed');
        break;
      }
      case ACK_RESET_STREAM:
        this.pending.touch(root, this.host.now);
        return;
      default:
        return;
    }
    this.updateStatus(this.spout.isExhausted?.() === true);
    this.host.schedule();
  }

  failRoots(anchors: readonly number[]): void {
    for (let i = 0; i < anchors.length; i += 3) {
      const slot = this.pending.find(anchors[i]!);
      if (slot >= 0) this.failMsg(this.pending.take(slot), 'failed');
    }
    this.host.schedule();
  }

  failAllPending(): void {
    // Their acker's thread died: the trees may well have been fine.
    for (const id of this.pending.takeAll()) this.failMsg(id, 'lost');
    this.updateStatus(false);
    this.host.schedule();
  }

  deadLettered(msgId: MessageId): void {
    // Given up on: neither a replay to come nor a drop of a spout that does not replay.
    if (this.failedIds.delete(msgId)) this.counters.dropped = this.failedIds.size;
  }

  private failMsg(msgId: MessageId, reason: FailReason): void {
    this.counters.failed++;
    this.failedIds.add(msgId);
    this.counters.dropped = this.failedIds.size;
    this.callSpout('fail', msgId, reason);
    if (this.hooks.on) this.hooks.spoutFail(msgId);
  }

  private callSpout(method: 'ack' | 'fail', msgId: MessageId, reason?: FailReason): void {
    try {
      if (method === 'ack') this.spout.ack?.(msgId);
      else this.spout.fail?.(msgId, reason);
    } catch (err) {
      this.host.reportError(this.counters, err);
    }
  }

  runImmediateAcks(): void {
    const q = this.immediateAcks;
    if (q.length === 0) return;
    for (let i = 0; i < q.length; i++) {
      this.counters.acked++;
      this.callSpout('ack', q[i]!);
      if (this.hooks.on) this.hooks.spoutAck(q[i]!, 0);
    }
    q.length = 0;
  }

  /**
   * Timeouts, on the run's clock: fail every tree whose clock started T or more ago (a reliable
   * spout replays it), then sleep until the oldest survivor is due. So a tree fails T after
   * its emit or last reset (exactly, under simulated time), and scans cost one ring pass per
   * deadline rather than per fixed period. A tree added later is due later than the next scan
   * finds it, and a reset only pushes a due time back, so no scan is ever late.
   */
  private readonly expire = (): void => {
    if (this.closed) return;
    const now = this.host.clock.now();
    const dead = this.pending.expire(now - this.timeoutMs);
    // A burst of trees due a moment apart must not turn into a scan per tree.
    const next = Math.max(MIN_SCAN_GAP_MS, this.pending.size === 0 ? this.timeoutMs : this.pending.oldestTouch + this.timeoutMs - now);
    this.cancelScan = this.host.clock.after(next, this.expire);
    if (dead.length === 0) return;
    for (const id of dead) this.failMsg(id, 'timeout');
    this.updateStatus(false);
    this.host.schedule();
  };

  updateStatus(exhausted: boolean): void {
    const s = this.host.shared;
    Atomics.store(s.spoutPending, this.taskId, this.pending.size);
    Atomics.store(s.spoutDone, this.taskId, exhausted && this.pending.size === 0 && this.immediateAcks.length === 0 ? 1 : 0);
    Atomics.store(s.spoutAcked, this.taskId, this.counters.acked);
  }

  close(): void {
    this.closed = true;
    this.cancelScan?.();
  }
}
