/**
 * Runs one spout task: polls `nextTuple`, roots tracked trees (one edge id per target, the
 * XOR registered with the acker), keeps its own pending map with timeouts on the run's clock
 * (so a tree still fails when its acker's thread died) and calls the spout's ack/fail.
 */
import type { TaskHooks } from './task-hooks.js';
import type { CancelTimer } from '../../api/clock.js';
import type { Spout, Config, FailReason, MessageId } from '../../api/components.js';
import type { SpoutOutputCollector } from '../../api/collectors.js';
import type { TopologyContext } from '../../api/context.js';
import {
  ACK_ACK_STREAM, ACK_FAIL_STREAM, ACK_INIT_STREAM, ACK_RESET_STREAM, AT_FAIL_REASON, AT_ROOT, FAIL_THREAD_LOST, initMessage, rootId,
} from '../../topology/acker-protocol.js';
import { PendingTrees } from '../acker/pending-trees.js';
import { buildHistogram, loadHdr, newCounters, type TaskCounters } from '../metrics.js';
import type hdr from 'hdr-histogram-js';
import type { TaskEmitter, Route } from './emitter.js';
import type { TupleImpl } from './tuple-impl.js';
import { PollResult, type Executor, type ExecutorHost } from './executor.js';
import { ThrowWatch } from './throw-watch.js';

/** Least clock time between two timeout scans. */
const MIN_SCAN_GAP_MS = 1;

export class SpoutExecutor implements Executor, SpoutOutputCollector {
  readonly counters: TaskCounters;
  latency!: hdr.Histogram;
  private readonly pending: PendingTrees;
  private seq: number;
  private readonly initRoute: Route | null;
  /**
   * Message ids failed and not yet re-emitted: a re-emit of one counts as a replay. Those
   * left when the input has ended are trees that never completed (counters.dropped).
   */
  private readonly failedIds = new Set<MessageId>();
  /** Acks due at once (acking off, or no subscriber): run after nextTuple returns, not inside emit. */
  private readonly immediateAcks: MessageId[] = [];
  private active = false;
  private closed = false;
  /** Cancels the next timeout scan (null with timeouts off). */
  private cancelScan: CancelTimer | null = null;
  private readonly timeoutMs: number;
  private readonly maxPending: number;
  /** A spout throwing on every call ends the run (throw-watch.ts). */
  private readonly throwWatch = new ThrowWatch();

  constructor(
    private readonly host: ExecutorHost,
    readonly taskId: number,
    readonly componentId: string,
    private readonly spout: Spout,
    private readonly emitter: TaskEmitter,
    private readonly context: TopologyContext,
    private readonly config: Config,
    private readonly hooks: TaskHooks,
  ) {
    this.counters = newCounters(taskId, componentId, 'spout');
    this.initRoute = host.tracking ? emitter.route(ACK_INIT_STREAM) : null;
    // Random start so a restarted spout never reuses a root id an acker may still hold.
    this.seq = host.ids.next() >>> 0;
    // The component's own setting (setMaxSpoutPending) is in its merged config over the run's.
    this.maxPending = typeof config['maxSpoutPending'] === 'number' ? config['maxSpoutPending'] : host.config.maxSpoutPending;
    this.pending = new PendingTrees(this.maxPending);
    this.timeoutMs = host.config.messageTimeoutMs;
  }

  async start(): Promise<void> {
    await loadHdr();
    this.latency = buildHistogram();
    await this.spout.open(this.config, this.context, this);
    if (this.host.tracking && this.host.config.enableMessageTimeouts) this.cancelScan = this.host.clock.after(this.timeoutMs, this.expire);
  }

  activate(): void {
    if (this.active || this.closed) return;
    this.active = true;
    this.spout.activate?.();
  }

  deactivate(): void {
    if (!this.active) return;
    this.active = false;
    this.spout.deactivate?.();
  }

  /** Call nextTuple up to `budget` times; says why it stopped. */
  poll(budget: number): PollResult {
    if (!this.active) return PollResult.Inactive;
    const shared = this.host.shared;
    let result = PollResult.Idle;
    // Calls in this round that returned normally (a throw at call i leaves i).
    let i = 0;
    try {
      if (this.spout.isExhausted?.() === true) result = PollResult.Exhausted;
      else {
        for (; i < budget; i++) {
          if (this.pending.size >= this.maxPending || shared.anyCongested()) {
            result = i === 0 ? PollResult.Blocked : PollResult.Emitted;
            break;
          }
          const before = this.counters.emitted;
          this.spout.nextTuple();
          if (this.counters.emitted === before) break;
          result = PollResult.Emitted;
        }
      }
      this.throwWatch.returned();
    } catch (err) {
      this.host.reportError(this.counters, err);
      const fatal = this.throwWatch.threw(err, i > 0);
      if (fatal) this.host.failRun(this.counters, fatal);
    }
    this.runImmediateAcks();
    this.updateStatus(result === PollResult.Exhausted);
    return result;
  }

  // ---- SpoutOutputCollector ----

  emit(values: unknown[], msgId?: MessageId, stream = 'default'): void {
    const route = this.emitter.route(stream);
    this.emitter.check(route, values, false);
    this.rootAndSend(route, values, msgId, -1);
  }

  emitDirect(taskId: number, values: unknown[], msgId?: MessageId, stream = 'default'): void {
    const route = this.emitter.route(stream);
    this.emitter.check(route, values, true);
    this.emitter.checkDirectTarget(route, taskId);
    this.rootAndSend(route, values, msgId, taskId);
  }

  private rootAndSend(route: Route, values: unknown[], msgId: MessageId | undefined, direct: number): void {
    this.counters.emitted++;
    if (msgId !== undefined && this.failedIds.size > 0 && this.failedIds.delete(msgId)) {
      this.counters.replayed++;
      this.counters.dropped = this.failedIds.size;
    }
    const host = this.host;
    if (msgId === undefined || this.initRoute === null) {
      if (direct >= 0) {
        host.deliver(direct, route.info, this.taskId, values, null);
        if (this.hooks.on) this.hooks.sentTo(direct);
      } else this.fanOut(route, values);
      if (this.hooks.on) this.hooks.emitted(route.info.stream, values);
      if (msgId !== undefined) this.immediateAcks.push(msgId);
      return;
    }
    this.seq = this.pending.freeSeq((this.seq + 1) >>> 0);
    const root = rootId(this.taskId, this.seq);
    const ids = host.ids;
    let xhi = 0;
    let xlo = 0;
    let targets = 0;
    let touched = 0;
    const rs = route.routers;
    // One fresh edge id per target; the acker gets their XOR. Loops, not a closure: this runs per tuple.
    for (let i = direct >= 0 ? -1 : 0; i < (direct >= 0 ? 0 : rs.length); i++) {
      const sel = i < 0 ? direct : rs[i]!.select(values);
      const n = typeof sel === 'number' ? 1 : sel.length;
      for (let j = 0; j < n; j++) {
        const task = typeof sel === 'number' ? sel : sel[j]!;
        const hi = ids.next();
        const lo = ids.nextNonZero();
        xhi ^= hi;
        xlo ^= lo;
        targets++;
        touched |= host.workerBit(task);
        host.deliver(task, route.info, this.taskId, values, [root, hi, lo]);
        if (this.hooks.on) this.hooks.sentTo(task);
      }
    }
    if (this.hooks.on) this.hooks.emitted(route.info.stream, values);
    if (targets === 0) {
      this.immediateAcks.push(msgId);
      return;
    }
    this.pending.add(root, msgId, host.now);
    const init = initMessage(root, xhi, xlo, this.taskId, touched);
    host.deliver(this.initRoute.routers[0]!.select(init) as number, this.initRoute.info, this.taskId, init, null);
  }

  private fanOut(route: Route, values: unknown[]): void {
    const rs = route.routers;
    for (let i = 0; i < rs.length; i++) {
      const sel = rs[i]!.select(values);
      if (typeof sel === 'number') {
        this.host.deliver(sel, route.info, this.taskId, values, null);
        if (this.hooks.on) this.hooks.sentTo(sel);
      } else {
        for (let j = 0; j < sel.length; j++) this.host.deliver(sel[j]!, route.info, this.taskId, values, null);
        if (this.hooks.on) for (let j = 0; j < sel.length; j++) this.hooks.sentTo(sel[j]!);
      }
    }
  }

  reportError(error: unknown): void {
    this.host.reportError(this.counters, error);
  }

  deadLetter(msgId: MessageId, reason: string): void {
    this.counters.deadLettered++;
    // Given up on: neither a replay to come nor a drop of a spout that does not replay.
    if (this.failedIds.delete(msgId)) this.counters.dropped = this.failedIds.size;
    this.host.reportError(this.counters, new Error(`dead-lettered: ${reason}`));
  }

  // ---- messages from the acker ----

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

  private runImmediateAcks(): void {
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

  private updateStatus(exhausted: boolean): void {
    const s = this.host.shared;
    Atomics.store(s.spoutPending, this.taskId, this.pending.size);
    Atomics.store(s.spoutDone, this.taskId, exhausted && this.pending.size === 0 && this.immediateAcks.length === 0 ? 1 : 0);
    Atomics.store(s.spoutAcked, this.taskId, this.counters.acked);
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  async finish(): Promise<void> {}

  async close(): Promise<void> {
    this.deactivate();
    this.closed = true;
    this.cancelScan?.();
    await this.spout.close?.();
    this.hooks.cleanup();
  }
}
