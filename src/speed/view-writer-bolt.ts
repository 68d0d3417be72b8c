/**
 * The view writer: a bolt, usable in any topology, that writes ViewUpdates to the view store
 * and acks each input only after the write holding its updates succeeded.
 *
 * Inputs carry a field `update` (one ViewUpdate as a plain object) or `updates` (an array).
 * Updates are aggregated locally and flushed when `flushSize` updates are held or on a tick,
 * whichever comes first, with ONE store.apply per flush (one script call on a single Redis,
 * one per slot on a cluster; see flush-calls.ts). One flush is in flight at a time;
 * inputs arriving meanwhile wait for the next one.
 *
 * Flushing on time: set `.setTickFrequency(100)` on the bolt (ticks run in the task's own
 * queue, never concurrently with execute). Without a tick frequency the bolt starts its own
 * timer at `flushIntervalMs`.
 *
 * Outages: a failed write is retried with exponential backoff (capped at 2 s) while every
 * held tuple's timeout is reset, so trees neither time out nor replay; the error goes to
 * `reportError` (the progress line shows it). Inputs keep being held, not failed: the spouts
 * stop once `maxSpoutPending` trees are open, which bounds what can pile up. `maxHeld` is the
 * backstop for topologies without that bound (unanchored fan-out, huge pending limits):
 * beyond it new inputs are failed and replayed later.
 */
import type { Bolt, Config } from '../api/components.js';
import type { OutputCollector } from '../api/collectors.js';
import type { TopologyContext } from '../api/context.js';
import type { OutputFieldsDeclarer } from '../api/declarer.js';
import type { Tuple } from '../api/tuple.js';
import type { ViewDef, ViewUpdate } from '../views/view.js';
import { aggregatorOf } from '../views/kinds/index.js';
import { FlushBatch, invalidUpdate, type CheckedView } from './flush-batch.js';
import { FlushProgress } from './flush-calls.js';
import { openStore, settle } from './open-store.js';
import type { MemoryViewStore } from './memory-store.js';
import { RedisViewStore } from './redis-store.js';
import type { StoreView, ViewStore } from './store.js';

/** The stream a memory-mode writer emits its store's snapshot on at finish (see memory-report.ts). */
export const MEMORY_VIEWS_STREAM = 'memoryViews';

export interface ViewWriterOptions {
  readonly views: readonly ViewDef<never>[] | readonly StoreView[];
  /** Flush once this many updates are held (default 1000; config `flushSize` overrides). */
  readonly flushSize?: number;
  /** Own flush timer when the bolt has no tick frequency (default 100 ms). */
  readonly flushIntervalMs?: number;
  /** Held inputs beyond which new inputs are failed (default 100 000; config `maxHeld`). */
  readonly maxHeld?: number;
  /** Key namespace (default: config `viewNamespace`, else the topology name). */
  readonly namespace?: string;
}

const MAX_BACKOFF_MS = 2000;

/** Writes the ViewUpdates it receives to the configured view store; see the file comment. */
export class ViewWriterBolt implements Bolt {
  private collector!: OutputCollector;
  private store!: ViewStore;
  private views: readonly StoreView[];
  private byName: Map<string, StoreView>;
  /** Each view with its kind bound, for the per-update checks (built with byName, never per tuple). */
  private checked: Map<string, CheckedView>;
  private readonly maxTime = new Map<string, number>();
  private pending = new FlushBatch();
  private inflight: FlushBatch | null = null;
  private loop: Promise<void> | null = null;
  private flushSize: number;
  private maxHeld: number;
  private failAfterWriteRate = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly options: ViewWriterOptions) {
    this.views = options.views as readonly StoreView[];
    this.byName = new Map(this.views.map((v) => [v.name, v]));
    this.checked = checkedViews(this.views);
    this.flushSize = options.flushSize ?? 1000;
    this.maxHeld = options.maxHeld ?? 100_000;
  }

  declareOutputFields(d: OutputFieldsDeclarer): void {
    d.declareStream(MEMORY_VIEWS_STREAM, ['snapshot']);
  }

  async prepare(config: Config, context: TopologyContext, collector: OutputCollector): Promise<void> {
    this.collector = collector;
    this.flushSize = Number(config['flushSize'] ?? this.flushSize);
    this.maxHeld = Number(config['maxHeld'] ?? this.maxHeld);
    // Test hook: fail an input after its flush was written, as if the ack were lost (replays hit applied events).
    this.failAfterWriteRate = Number(config['failAfterWriteRate'] ?? 0);
    // Config `exactlyOnce`: `true` (every view) or a list of view names turns exactly-once
    // effects on for those views in this run, whatever their definition says: each event's
    // increments apply once per bucket, by its id (see apply-script.ts). Unknown names are an error.
    const eo = config['exactlyOnce'];
    if (eo !== undefined && eo !== false) {
      const names = eo === true ? this.views.map((v) => v.name) : Array.isArray(eo) ? eo.map(String) : null;
      if (names === null) throw new Error(`config 'exactlyOnce' must be true or a list of view names, got ${JSON.stringify(eo)}`);
      const unknown = names.filter((n) => !this.byName.has(n));
      if (unknown.length > 0) throw new Error(`config 'exactlyOnce' names unknown view(s) ${unknown.join(', ')} (known: ${[...this.byName.keys()].join(', ')})`);
      this.views = this.views.map((v) => (names.includes(v.name) ? { ...v, exactlyOnce: true } : v));
      this.byName = new Map(this.views.map((v) => [v.name, v]));
      this.checked = checkedViews(this.views);
    }
    const opened = openStore(config, this.options.namespace ?? (config['viewNamespace'] as string | undefined) ?? context.topologyName);
    this.store = opened.store;
    if (opened.warning) collector.reportError(new Error(opened.warning));
    // Connected before the first flush, so a normal start reports no error; a Redis still
    // down after this is an outage like any other, handled by the retries.
    await settle(this.store, 5000);
    if (typeof config['tickFrequencyMs'] !== 'number') {
      this.timer = setInterval(() => void this.flush(), this.options.flushIntervalMs ?? 100);
      this.timer.unref();
    }
  }

  /**
   * Returns the flush's promise only when it starts one, so the runtime counts the thread
   * busy meanwhile. Never the running loop's again: the runtime attaches a reaction holding
   * the input to every promise an execute returns, and under steady input the loop never
   * settles (it drains what arrived during each write), so returning it to every input kept
   * every tuple of the run reachable (285 k after 400 k lines of the pageviews replay). A
   * running loop takes what is pending when its write returns.
   */
  execute(t: Tuple): void | Promise<void> {
    if (t.isTick()) return this.loop === null ? this.flush() : undefined;
    const raw = t.contains('updates') ? t.getValueByField('updates') : t.getValueByField('update');
    const list = Array.isArray(raw) ? raw : [raw];
    for (const u of list) {
      const problem = invalidUpdate(u, this.checked);
      if (problem !== null) {
        // A malformed update can never be written: replaying it would loop forever.
        this.collector.reportError(new Error(`${problem} (input from '${t.sourceComponent}' dropped)`));
        this.collector.ack(t);
        return;
      }
    }
    if (this.held() >= this.maxHeld) {
      this.collector.fail(t);
      return;
    }
    for (const u of list as ViewUpdate[]) this.hold(u);
    this.pending.tuples.push(t);
    if (this.pending.size >= this.flushSize && this.loop === null) return this.flush();
  }

  private hold(u: ViewUpdate): void {
    const view = this.byName.get(u.view)!;
    const time = u.time ?? u.bucket;
    const max = this.maxTime.get(view.name) ?? -Infinity;
    const lateness = (view as Partial<ViewDef>).allowedLatenessMs ?? 0;
    if (time < max - lateness) this.pending.countLate(view.name);
    else if (time > max) this.maxTime.set(view.name, time);
    this.pending.add(u, view);
  }

  private held(): number {
    return this.pending.tuples.length + (this.inflight?.tuples.length ?? 0);
  }

  /** Start writing what is pending unless a flush is in flight; resolves when nothing is left to write. */
  flush(): Promise<void> {
    this.loop ??= this.drain().finally(() => (this.loop = null));
    return this.loop;
  }

  private async drain(): Promise<void> {
    while (!this.pending.empty) {
      const batch = this.pending;
      this.pending = new FlushBatch();
      this.inflight = batch;
      await this.write(batch);
      this.inflight = null;
      for (const t of batch.tuples) {
        if (this.failAfterWriteRate > 0 && Math.random() < this.failAfterWriteRate) this.collector.fail(t);
        else this.collector.ack(t);
      }
    }
  }

  /** Write one batch, retrying until it succeeds; never rejects. */
  private async write(batch: FlushBatch): Promise<void> {
    // Redis takes the batch's cells as grouped on arrival; other stores a plain list.
    const redis = this.store instanceof RedisViewStore ? this.store : null;
    const updates = redis === null ? batch.updates() : null;
    // Kept across the retries of this batch: on a cluster only the slot calls that failed are resent.
    const progress = new FlushProgress();
    let backoff = 50;
    for (;;) {
      try {
        if (redis !== null) await redis.applyCells(batch.cells, batch.size, this.views, batch.late, progress);
        else await this.store.apply(updates!, this.views, batch.late, progress);
        return;
      } catch (err) {
        const msg = err instanceof Error ? err.message : String(err);
        this.collector.reportError(new Error(`view store (${this.store.kind}) write failed, retrying in ${backoff} ms: ${msg}`));
        // Everything held waits on this write: keep all of it from timing out.
        for (const t of batch.tuples) this.collector.resetTimeout(t);
        for (const t of this.pending.tuples) this.collector.resetTimeout(t);
        await new Promise((r) => setTimeout(r, backoff));
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
    }
  }

  /** Flush what is left and wait for it; in memory mode hand the store's snapshot on for reporting. */
  async finish(): Promise<void> {
    await this.flush();
    if (this.store.kind === 'memory') this.collector.emit(null, [(this.store as MemoryViewStore).snapshot()], MEMORY_VIEWS_STREAM);
  }

  async cleanup(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.store?.close();
  }
}

function checkedViews(views: readonly StoreView[]): Map<string, CheckedView> {
  return new Map(views.map((v) => [v.name, { view: v, agg: aggregatorOf(v.aggregation) }]));
}

/** A factory for `builder.setBolt(id, viewWriter({ views }), n)`. */
export function viewWriter(options: ViewWriterOptions): () => ViewWriterBolt {
  return () => new ViewWriterBolt(options);
}
