/**
 * Runs one bolt task: executes input tuples, and implements the bolt's collector, which is
 * where anchoring happens (new edge ids XORed into each anchor) and where acks and fails
 * become messages to the acker.
 */
import type { TaskHooks } from './task-hooks.js';
import type { Bolt, BasicBolt, Config } from '../../api/components.js';
import type { Anchors, OutputCollector, BasicOutputCollector } from '../../api/collectors.js';
import type { TopologyContext } from '../../api/context.js';
import type { Tuple } from '../../api/tuple.js';
import { ACK_ACK_STREAM, ACK_FAIL_STREAM, ACK_RESET_STREAM, rootMessage } from '../../topology/acker-protocol.js';
import { newCounters, type TaskCounters } from '../metrics.js';
import type { TaskEmitter, Route } from './emitter.js';
import { TupleImpl } from './tuple-impl.js';
import { LATENCY_SAMPLE_MASK, type Executor, type ExecutorHost } from './executor.js';

export class BoltExecutor implements Executor, OutputCollector {
  readonly counters: TaskCounters;
  private readonly ackRoute: Route | null;
  private readonly failRoute: Route | null;
  private readonly resetRoute: Route | null;
  private basicCollector = new BasicCollector(this, null);
  /** System components (the acker) emit values the runtime built: skip the user-facing checks. */
  private readonly trusted: boolean;

  constructor(
    private readonly host: ExecutorHost,
    readonly taskId: number,
    readonly componentId: string,
    private readonly bolt: Bolt | BasicBolt,
    private readonly basic: boolean,
    /** The plan's system flag (the acker): see `trusted`. */
    system: boolean,
    private readonly emitter: TaskEmitter,
    private readonly context: TopologyContext,
    private readonly config: Config,
    private readonly hooks: TaskHooks,
  ) {
    this.counters = newCounters(taskId, componentId, 'bolt');
    this.trusted = system;
    const sys = host.tracking && !this.trusted;
    this.ackRoute = sys ? emitter.route(ACK_ACK_STREAM) : null;
    this.failRoute = sys ? emitter.route(ACK_FAIL_STREAM) : null;
    this.resetRoute = sys ? emitter.route(ACK_RESET_STREAM) : null;
  }

  async start(): Promise<void> {
    if (this.basic) await (this.bolt as BasicBolt).prepare?.(this.config, this.context);
    else await (this.bolt as Bolt).prepare(this.config, this.context, this);
  }

  receive(t: TupleImpl): void {
    const c = this.counters;
    const hooked = this.hooks.on;
    const sample = (c.executed++ & LATENCY_SAMPLE_MASK) === 0;
    const t0 = sample || hooked ? performance.now() : 0;
    try {
      if (this.basic) this.executeBasic(t);
      else {
        const r = (this.bolt as Bolt).execute(t) as unknown;
        if (r instanceof Promise) {
          this.host.asyncStarted();
          r.then(
            () => this.host.asyncSettled(),
            (err: unknown) => {
              this.onError(t, err);
              this.host.asyncSettled();
            },
          );
        }
      }
    } catch (err) {
      this.onError(t, err);
    }
    if (hooked) this.hooks.boltExecute(t, performance.now() - t0);
    if (sample) {
      const d = performance.now() - t0;
      c.execMsSum += d;
      c.execSamples++;
      c.busyMs += d * (LATENCY_SAMPLE_MASK + 1);
    }
  }

  private executeBasic(t: TupleImpl): void {
    // One collector reused across synchronous executes (no allocation per tuple); an async
    // execute keeps the one it was given, bound to its input, and the next gets a fresh one.
    const c = this.basicCollector;
    c.input = t;
    const r = (this.bolt as BasicBolt).execute(t, c);
    if (r instanceof Promise) {
      this.basicCollector = new BasicCollector(this, null);
      this.host.asyncStarted();
      r.then(
        () => {
          this.ack(t);
          this.host.asyncSettled();
        },
        (err: unknown) => {
          this.onError(t, err);
          this.host.asyncSettled();
        },
      );
    } else this.ack(t);
  }

  private onError(t: TupleImpl, err: unknown): void {
    this.host.reportError(this.counters, err);
    if (!t.settled) this.fail(t);
  }

  // ---- OutputCollector ----

  emit(anchors: Anchors, values: unknown[], stream = 'default'): void {
    const route = this.emitter.route(stream);
    this.emitter.check(route, values, false);
    this.counters.emitted++;
    const rs = route.routers;
    for (let i = 0; i < rs.length; i++) {
      const sel = rs[i]!.select(values);
      if (typeof sel === 'number') this.send(sel, route, values, anchors);
      else for (let j = 0; j < sel.length; j++) this.send(sel[j]!, route, values, anchors);
    }
    if (this.hooks.on) this.hooks.emitted(stream, values);
  }

  emitDirect(taskId: number, anchors: Anchors, values: unknown[], stream = 'default'): void {
    const route = this.emitter.route(stream);
    if (!this.trusted) {
      this.emitter.check(route, values, true);
      this.emitter.checkDirectTarget(route, taskId);
    }
    this.counters.emitted++;
    this.send(taskId, route, values, anchors);
    if (this.hooks.on) this.hooks.emitted(stream, values);
  }

  private send(task: number, route: Route, values: unknown[], anchors: Anchors): void {
    let anc: number[] | null = null;
    if (this.host.tracking && anchors) {
      anc = this.childAnchors(anchors);
      if (anc !== null) {
        const bit = this.host.workerBit(task);
        if (Array.isArray(anchors)) for (const a of anchors as readonly TupleImpl[]) a.touched |= bit;
        else (anchors as TupleImpl).touched |= bit;
      }
    }
    this.host.deliver(task, route.info, this.taskId, values, anc);
    if (this.hooks.on) this.hooks.sentTo(task);
  }

  /** One fresh edge id per anchor per target; roots shared by several anchors XOR their edges. */
  private childAnchors(anchors: Tuple | readonly Tuple[]): number[] | null {
    const ids = this.host.ids;
    if (!Array.isArray(anchors)) {
      const a = anchors as TupleImpl;
      const src = a.anchors;
      if (src === null) return null;
      const hi = ids.next();
      const lo = ids.nextNonZero();
      a.ackHi ^= hi;
      a.ackLo ^= lo;
      // One root (the common case): a packed literal rather than a holey preallocated array.
      if (src.length === 3) return [src[0]!, hi, lo];
      const out = new Array<number>(src.length);
      for (let i = 0; i < src.length; i += 3) {
        out[i] = src[i]!;
        out[i + 1] = hi;
        out[i + 2] = lo;
      }
      return out;
    }
    let out: number[] | null = null;
    // Many anchors (a window bolt anchors to its whole window): find roots through a Map, as
    // the linear search over the roots gathered so far would make one emit quadratic.
    const where = anchors.length > 16 ? new Map<number, number>() : null;
    for (const x of anchors as readonly TupleImpl[]) {
      const src = x.anchors;
      if (src === null) continue;
      const hi = ids.next();
      const lo = ids.nextNonZero();
      x.ackHi ^= hi;
      x.ackLo ^= lo;
      out ??= [];
      for (let i = 0; i < src.length; i += 3) {
        let k: number;
        if (where !== null) k = where.get(src[i]!) ?? out.length;
        else {
          k = 0;
          while (k < out.length && out[k] !== src[i]) k += 3;
        }
        if (k < out.length) {
          out[k + 1] ^= hi;
          out[k + 2] ^= lo;
        } else {
          where?.set(src[i]!, k);
          out.push(src[i]!, hi, lo);
        }
      }
    }
    return out;
  }

  ack(tuple: Tuple): void {
    const t = tuple as TupleImpl;
    if (t.settled) return;
    t.settled = true;
    this.counters.acked++;
    if (this.hooks.on) this.hooks.boltAck(t);
    const a = t.anchors;
    if (a === null || this.ackRoute === null) return;
    const info = this.ackRoute.info;
    for (let i = 0; i < a.length; i += 3) this.host.ack(info, this.taskId, a[i]!, a[i + 1]! ^ t.ackHi, a[i + 2]! ^ t.ackLo, t.touched);
  }

  fail(tuple: Tuple): void {
    const t = tuple as TupleImpl;
    if (t.settled) return;
    t.settled = true;
    this.counters.failed++;
    if (this.hooks.on) this.hooks.boltFail(t);
    const a = t.anchors;
    if (a === null || this.failRoute === null) return;
    for (let i = 0; i < a.length; i += 3) this.sys(this.failRoute, rootMessage(a[i]!));
  }

  failRoots(anchors: readonly number[]): void {
    if (this.failRoute === null) return;
    for (let i = 0; i < anchors.length; i += 3) this.sys(this.failRoute, rootMessage(anchors[i]!));
  }

  resetTimeout(tuple: Tuple): void {
    const a = (tuple as TupleImpl).anchors;
    if (a === null || this.resetRoute === null) return;
    for (let i = 0; i < a.length; i += 3) this.sys(this.resetRoute, rootMessage(a[i]!));
  }

  reportError(error: unknown): void {
    this.host.reportError(this.counters, error);
  }

  failRun(error: unknown): void {
    this.host.failRun(this.counters, error);
  }

  /** System emit to the acker: values are ours, so skip the user-facing checks. */
  private sys(route: Route, values: unknown[]): void {
    this.host.deliver(route.routers[0]!.select(values) as number, route.info, this.taskId, values, null);
  }

  async finish(): Promise<void> {
    if (this.basic) await (this.bolt as BasicBolt).finish?.(new BasicCollector(this, null));
    else await (this.bolt as Bolt).finish?.();
  }

  async close(): Promise<void> {
    await this.bolt.cleanup?.();
    this.hooks.cleanup();
  }
}

/** The collector a BasicBolt sees: emits are anchored to the input being executed. */
class BasicCollector implements BasicOutputCollector {
  constructor(private readonly out: BoltExecutor, public input: TupleImpl | null) {}
  emit(values: unknown[], stream?: string): void {
    this.out.emit(this.input, values, stream);
  }
  emitDirect(taskId: number, values: unknown[], stream?: string): void {
    this.out.emitDirect(taskId, this.input, values, stream);
  }
  resetTimeout(): void {
    if (this.input) this.out.resetTimeout(this.input);
  }
  reportError(error: unknown): void {
    this.out.reportError(error);
  }
}
