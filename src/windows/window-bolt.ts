/**
 * The bolt the runtime actually runs for `windowed(UserBolt, options)` (Storm's
 * WindowedBoltExecutor): an ordinary rich Bolt that timestamps and buffers its input,
 * advances time on tick tuples, calls the user's `execute(window, collector)` per firing,
 * acks tuples when their last window closes, and sends late tuples to the late stream.
 *
 * Time moves on ticks (the builder sets `tickFrequencyMs` to the watermark interval)
 * rather than on a timer of our own: a tick arrives through the task's queue like a tuple,
 * so firing never interleaves with an execute, and idle detection and metrics see the work.
 * Processing time and input idleness read the run's clock (`context.clock`), as the ticks
 * do, so under simulated time a window fires when the test advances past its end.
 */
import type { Clock } from '../api/clock.js';
import type { Bolt, Config } from '../api/components.js';
import type { OutputCollector } from '../api/collectors.js';
import type { TopologyContext } from '../api/context.js';
import type { OutputFieldsDeclarer } from '../api/declarer.js';
import type { Tuple } from '../api/tuple.js';
import { LATE_STREAM_FIELDS, type WindowedBolt, type WindowSpec } from '../api/windowed.js';
import { WindowEngine, type WindowSink } from './window-engine.js';
import { InputWatermarks } from './watermark.js';
import { AnchoredCollector, FiredWindow } from './fired-window.js';

const enum Mode {
  Count,
  Processing,
  Event,
}

export class WindowBoltRunner implements Bolt, WindowSink {
  private c!: OutputCollector;
  private componentId = '';
  private clock!: Clock;
  private readonly mode: Mode;
  private readonly engine: WindowEngine;
  private watermarks: InputWatermarks | null = null;
  private readonly out = new AnchoredCollector();
  /** In-order modes (count, processing time) evaluate when a tuple reaches the next window end. */
  private due = Number.POSITIVE_INFINITY;
  private arrivals = 0;
  /** Index of the timestamp field, cached per stream (the tuple's fields array is one object per stream). */
  private lastFields: readonly string[] | null = null;
  private lastIndex = -1;

  constructor(
    private readonly user: WindowedBolt,
    private readonly spec: WindowSpec,
    private readonly extract: ((t: Tuple) => number) | undefined,
  ) {
    if (typeof user !== 'object' || user === null || typeof user.execute !== 'function') {
      throw new Error('windowed() needs a window bolt: an object with execute(window, collector)');
    }
    this.mode = spec.by === 'count' ? Mode.Count : spec.eventTime ? Mode.Event : Mode.Processing;
    const lateness = this.mode === Mode.Event ? spec.allowedLatenessMs : 0;
    this.engine = new WindowEngine(spec.length, spec.slide, lateness, this, this.mode === Mode.Count);
    if (this.mode === Mode.Count) this.due = spec.slide;
  }

  declareOutputFields(d: OutputFieldsDeclarer): void {
    this.user.declareOutputFields?.(d);
    if (this.spec.eventTime) d.declareStream(this.spec.lateStream, LATE_STREAM_FIELDS);
  }

  prepare(config: Config, context: TopologyContext, collector: OutputCollector): void | Promise<void> {
    this.c = collector;
    this.out.bind(collector);
    this.componentId = context.componentId;
    this.clock = context.clock;
    if (this.mode === Mode.Event) {
      const tasks = new Set<number>();
      for (const s of context.getThisSources()) for (const t of context.getComponentTasks(s.component)) tasks.add(t);
      this.watermarks = new InputWatermarks([...tasks], this.spec.lagMs, this.spec.idleTimeoutMs, this.clock.now());
    }
    return this.user.prepare?.(config, context);
  }

  execute(t: Tuple): void {
    if (t.isTick()) return this.onTick();
    if (this.mode === Mode.Count) {
      this.engine.add(t, this.arrivals++);
      if (this.arrivals >= this.due) this.due = this.engine.evaluate(this.arrivals);
      if (this.due === Number.POSITIVE_INFINITY) this.due = this.engine.firstEnd(this.arrivals - 1);
      return;
    }
    if (this.mode === Mode.Processing) {
      let ts = this.clock.now();
      if (ts < this.engine.wm) ts = this.engine.wm; // a clock step back must not make a tuple late
      if (ts >= this.due) this.due = this.engine.evaluate(ts);
      this.engine.add(t, ts);
      if (this.due === Number.POSITIVE_INFINITY) this.due = this.engine.firstEnd(ts);
      return;
    }
    const ts = this.timestampOf(t);
    if (ts === undefined) return;
    this.watermarks!.observe(t.sourceTask, ts);
    if (!this.engine.add(t, ts)) this.late(t, ts);
  }

  private onTick(): void {
    const now = this.clock.now();
    if (this.mode === Mode.Processing) {
      if (now >= this.due) this.due = this.engine.evaluate(now);
    } else if (this.mode === Mode.Event) {
      const before = this.engine.wm;
      const wm = this.watermarks!.advance(now);
      if (wm > before || this.engine.hasDirty) this.engine.evaluate(wm);
    }
  }

  /** The tuple's event time, or undefined after reporting and failing a tuple without a usable one. */
  private timestampOf(t: Tuple): number | undefined {
    let ts: unknown;
    let what: string;
    try {
      if (this.extract) {
        what = 'the timestamp extractor returned';
        ts = this.extract(t);
      } else {
        const field = this.spec.timestampField!;
        if (t.fields !== this.lastFields) {
          this.lastFields = t.fields;
          this.lastIndex = t.fieldIndex(field);
        }
        what = `timestamp field '${field}' is`;
        ts = t.values[this.lastIndex];
      }
    } catch (err) {
      ts = undefined;
      what = `the timestamp could not be read (${err instanceof Error ? err.message : String(err)}):`;
      this.lastFields = null;
    }
    if (typeof ts === 'number' && Number.isFinite(ts)) return ts;
    this.c.reportError(new Error(
      `bolt '${this.componentId}': a tuple from '${t.sourceComponent}' stream '${t.sourceStreamId}' has no usable event time: ` +
        `${what} ${show(ts)}, not a finite number of ms; the tuple is failed`,
    ));
    this.c.fail(t);
    return undefined;
  }

  /** Past every window's allowed lateness: on the late stream, anchored, then acked (never dropped silently). */
  private late(t: Tuple, ts: number): void {
    this.c.emit(t, [t.values, ts, t.sourceComponent, t.sourceStreamId], this.spec.lateStream);
    this.c.ack(t);
  }

  // ---- WindowSink ----

  fire(tuples: Tuple[], fresh: Tuple[], expired: Tuple[], start: number, end: number, isUpdate: boolean): boolean {
    const win = new FiredWindow(tuples, fresh, expired, start, end, isUpdate);
    this.out.anchors = tuples;
    try {
      const r = this.user.execute(win, this.out) as unknown;
      if (r instanceof Promise) {
        r.catch(() => undefined);
        throw new Error(`bolt '${this.componentId}': a window bolt's execute must be synchronous (it returned a promise)`);
      }
      return true;
    } catch (err) {
      this.c.reportError(err);
      for (const t of tuples) this.c.fail(t);
      return false;
    } finally {
      this.out.anchors = null;
    }
  }

  release(t: Tuple): void {
    this.c.ack(t);
  }

  /** End of input (a bounded run): fire what is still buffered, as Flink's final watermark. */
  finish(): void {
    this.engine.flush();
  }

  cleanup(): void | Promise<void> {
    return this.user.cleanup?.();
  }
}

function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  return v === null || typeof v !== 'object' ? String(v) : Array.isArray(v) ? 'an array' : 'an object';
}
