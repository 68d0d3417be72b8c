/**
 * Runs one spout task: polls `nextTuple` and roots tracked trees (one edge id per target, the
 * XOR registered with the acker). Its trees in flight, their timeouts and the spout's
 * ack/fail calls are spout-trees.ts's.
 */
import type { TaskHooks } from './task-hooks.js';
import type { Spout, Config, MessageId } from '../../api/components.js';
import type { SpoutOutputCollector } from '../../api/collectors.js';
import type { TopologyContext } from '../../api/context.js';
import { ACK_INIT_STREAM, initMessage, rootId } from '../../topology/acker-protocol.js';
import { loadHdr, newCounters, type TaskCounters } from '../metrics.js';
import type hdr from 'hdr-histogram-js';
import type { TaskEmitter, Route } from './emitter.js';
import type { TupleImpl } from './tuple-impl.js';
import { PollResult, type Executor, type ExecutorHost } from './executor.js';
import { ThrowWatch } from './throw-watch.js';
import { SpoutTrees } from './spout-trees.js';

export class SpoutExecutor implements Executor, SpoutOutputCollector {
  readonly counters: TaskCounters;
  private readonly trees: SpoutTrees;
  private seq: number;
  private readonly initRoute: Route | null;
  private active = false;
  private closed = false;
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
    this.trees = new SpoutTrees(host, taskId, spout, this.counters, hooks, this.maxPending);
  }

  async start(): Promise<void> {
    await loadHdr();
    this.trees.start();
    await this.spout.open(this.config, this.context, this);
    this.trees.armTimeouts();
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
          if (this.trees.pending.size >= this.maxPending || shared.anyCongested()) {
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
    this.trees.runImmediateAcks();
    this.trees.updateStatus(result === PollResult.Exhausted);
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
    if (msgId !== undefined) this.trees.emitted(msgId);
    const host = this.host;
    if (msgId === undefined || this.initRoute === null) {
      if (direct >= 0) {
        host.deliver(direct, route.info, this.taskId, values, null);
        if (this.hooks.on) this.hooks.sentTo(direct);
      } else this.fanOut(route, values);
      if (this.hooks.on) this.hooks.emitted(route.info.stream, values);
      if (msgId !== undefined) this.trees.immediateAcks.push(msgId);
      return;
    }
    this.seq = this.trees.pending.freeSeq((this.seq + 1) >>> 0);
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
      this.trees.immediateAcks.push(msgId);
      return;
    }
    this.trees.pending.add(root, msgId, host.now);
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
    this.trees.deadLettered(msgId);
    this.host.reportError(this.counters, new Error(`dead-lettered: ${reason}`));
  }

  // ---- messages from the acker ----

  receive(t: TupleImpl): void {
    this.trees.receive(t);
  }

  failRoots(anchors: readonly number[]): void {
    this.trees.failRoots(anchors);
  }

  failAllPending(): void {
    this.trees.failAllPending();
  }

  get latency(): hdr.Histogram {
    return this.trees.latency;
  }

  get pendingCount(): number {
    return this.trees.pending.size;
  }

  async finish(): Promise<void> {}

  async close(): Promise<void> {
    this.deactivate();
    this.closed = true;
    this.trees.close();
    await this.spout.close?.();
    this.hooks.cleanup();
  }
}
