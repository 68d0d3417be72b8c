/**
 * The master-dataset sink: a bolt that appends each input's `record` (a fact of its dataset,
 * dataset.ts) to the master dataset and acks the input only after the fsync that holds it. It holds the inputs of the
 * current flush and acks them all when `PartWriter.flush()` returns.
 *
 * Flushes happen when `flushRecords` inputs are held, on every tick tuple, and otherwise on
 * the bolt's own timer (`flushIntervalMs`) when the component has no tick frequency. One
 * flush costs one fsync per open partition. By default the write and fsync are synchronous
 * (the thread waits for the disk). With `asyncFlush` the fsyncs run off the event loop
 * (PartWriter.flushAsync): the thread keeps executing, inputs arriving meanwhile are held for
 * the next flush, which starts as soon as the previous one returns (so flushes coalesce by
 * themselves under load), and still every input is acked only after the fsync holding its
 * record.
 *
 * A failing disk (full, read-only, I/O errors) never fails an input: a failed flush stored
 * none of its records (PartWriter's failure contract), so the sink keeps every unacked input,
 * resets their trees' timeouts, and appends and flushes them again after a backoff (50 ms
 * doubling to `master.retryMaxMs`), as the view writer does while Redis is down; the held
 * trees' timeouts are reset at least every third of `messageTimeoutMs`, however long the
 * backoff. The input that starts the retry gets its promise (the thread counts busy) and the
 * held trees keep the spouts at `maxSpoutPending`: backpressure, not a replay loop that
 * re-applies every other branch of the trees.
 *
 * A running flush loop's or retry's promise is returned only to the input (or tick) that
 * starts it, never again: the runtime attaches a reaction holding the input to every promise
 * an execute returns, and under steady input an async flush loop never settles, so handing it
 * to every input would keep every tuple of the run reachable (as the view writer once did). After `master.failAfterMs` of continuous failure (default 60 s; 0:
 * hold until the disk recovers) the run is failed (OutputCollector.failRun) with the error,
 * which names the folder and the errno; the end of a run waits for a retry to succeed.
 *
 * Config: `master` (root directory, default ./data/master); `master.gzip`, `master.maxBytes`,
 * `master.maxAgeMs`, `master.flushRecords`, `master.failAfterMs`, `master.retryMaxMs`.
 */
import type { Config, Bolt } from '../../api/components.js';
import type { OutputCollector } from '../../api/collectors.js';
import type { TopologyContext } from '../../api/context.js';
import type { OutputFieldsDeclarer } from '../../api/declarer.js';
import type { Tuple } from '../../api/tuple.js';
import { factProblem, type DatasetDef } from '../dataset.js';
import { DEFAULT_MASTER_ROOT } from './layout.js';
import { ownerTag } from './names.js';
import { PartWriter, type PartWriterOptions } from './part-writer.js';
import { DEFAULT_OUTAGE, Outage, type OutageOptions } from './sink-outage.js';

export interface MasterSinkOptions<R = never> {
  /** The dataset the inputs' records belong to: its folder, event time, id and validation. */
  readonly dataset: DatasetDef<R>;
  /** Flush once this many inputs are held (default 1000). */
  readonly flushRecords?: number;
  /** Own flush timer when the bolt has no tick frequency (default 200 ms). */
  readonly flushIntervalMs?: number;
  /** Writer options other than the root (which comes from config `master`). */
  readonly writer?: Omit<PartWriterOptions<R>, 'root' | 'dataset'>;
  /** fsync off the event loop (see the file comment); default false. */
  readonly asyncFlush?: boolean;
  /** Retry and give-up timing while the folder cannot be written (config `master.failAfterMs`, `master.retryMaxMs` override). */
  readonly outage?: Partial<OutageOptions>;
  /** Replaces the writer (tests: a writer whose fsync is observed or blocked). */
  readonly openWriter?: (options: PartWriterOptions<R>) => PartWriter<R>;
}

const recordOf = <R>(t: Tuple): R => t.getValueByField('record') as R;

export class MasterSinkBolt<R = never> implements Bolt {
  private collector!: OutputCollector;
  private writer!: PartWriter<R>;
  /** Unacked inputs: appended to the writer unless an outage is on (then appended again by the retry). */
  private held: Tuple[] = [];
  private flushRecords: number;
  private timer: NodeJS.Timeout | null = null;
  private readonly asyncFlush: boolean;
  /** The running async flush loop, if any. */
  private loop: Promise<void> | null = null;
  private outage!: Outage;
  /** The retry loop while an outage is on. */
  private retry: Promise<void> | null = null;
  /** Longest wait between two timeout resets of the held trees (a third of messageTimeoutMs). */
  private resetEveryMs = 10_000;
  /** Inputs acked after a successful flush; `failed` stays 0 (kept for the figures' shape). */
  acked = 0;
  failed = 0;

  constructor(private readonly options: MasterSinkOptions<R>) {
    this.flushRecords = options.flushRecords ?? 1000;
    this.asyncFlush = options.asyncFlush ?? false;
  }

  declareOutputFields(_d: OutputFieldsDeclarer): void {}

  prepare(config: Config, context: TopologyContext, collector: OutputCollector): void {
    this.collector = collector;
    const root = typeof config['master'] === 'string' ? config['master'] : DEFAULT_MASTER_ROOT;
    const num = (k: string): number | undefined => (typeof config[k] === 'number' ? (config[k] as number) : undefined);
    // The run id and task id tag this task's temp parts, so that a replacement of a thread that
    // died adopts them at once (names.ts); without a run id (a bolt driven by hand) no tag.
    const runId = config['topology.runId'];
    const owner = typeof runId === 'string' && Number.isInteger(context.taskId) ? ownerTag(runId, context.taskId) : undefined;
    const opts: PartWriterOptions<R> = {
      ...this.options.writer,
      root,
      dataset: this.options.dataset,
      ...(owner !== undefined ? { owner } : {}),
      ...(typeof config['master.gzip'] === 'boolean' ? { gzip: config['master.gzip'] } : {}),
      ...(num('master.maxBytes') !== undefined ? { maxBytes: num('master.maxBytes')! } : {}),
      ...(num('master.maxAgeMs') !== undefined ? { maxAgeMs: num('master.maxAgeMs')! } : {}),
    };
    this.flushRecords = num('master.flushRecords') ?? this.flushRecords;
    // The runtime puts the run's messageTimeoutMs (default 30 s) in every component's config.
    this.resetEveryMs = Math.max(10, (num('messageTimeoutMs') ?? 30_000) / 3);
    this.outage = new Outage({
      ...DEFAULT_OUTAGE, ...this.options.outage,
      ...(num('master.failAfterMs') !== undefined ? { failAfterMs: num('master.failAfterMs')! } : {}),
      ...(num('master.retryMaxMs') !== undefined ? { retryMaxMs: num('master.retryMaxMs')! } : {}),
    });
    this.writer = (this.options.openWriter ?? ((o) => new PartWriter(o)))(opts);
    if (typeof config['tickFrequencyMs'] !== 'number') {
      this.timer = setInterval(() => void this.flushNow(), this.options.flushIntervalMs ?? 200);
      this.timer.unref();
    }
  }

  /** Returns the async flush's (or the retry's) promise only when it starts one (see the file comment). */
  execute(t: Tuple): void | Promise<void> {
    if (t.isTick()) return this.flushNow();
    const problem = factProblem(this.options.dataset, t.getValueByField('record'));
    if (problem !== null) {
      // A record that can never be written would be replayed forever if failed.
      this.collector.reportError(new Error(`not a fact of dataset '${this.options.dataset.name}': ${problem} (input from '${t.sourceComponent}' dropped)`));
      this.collector.ack(t);
      return;
    }
    this.held.push(t);
    if (this.retry !== null) return; // appended by the retry
    this.writer.append(recordOf<R>(t));
    if (this.held.length >= this.flushRecords) return this.flushNow();
  }

  private flushNow(): void | Promise<void> {
    if (this.retry !== null) return;
    if (!this.asyncFlush) return this.flush();
    // A flush in flight takes what is held now when it returns: no second loop.
    if (this.loop !== null) return;
    this.loop = this.flushLoop().finally(() => (this.loop = null));
    return this.loop;
  }

  /** Async flushes back to back until nothing is held; never rejects. */
  private async flushLoop(): Promise<void> {
    do {
      const batch = this.held;
      this.held = [];
      try {
        await this.writer.flushAsync();
      } catch (err) {
        // Neither the batch nor what arrived meanwhile is stored: all wait for the retry.
        this.held = batch.concat(this.held);
        return void this.startRetry(err);
      }
      this.ackAll(batch);
    } while (this.held.length > 0 && this.retry === null);
  }

  /** Makes every held input durable, then acks them; on failure holds them for the retry. */
  flush(): void | Promise<void> {
    if (this.retry !== null) return;
    if (this.held.length === 0) {
      this.tryRollAged();
      return;
    }
    const batch = this.held;
    this.held = [];
    try {
      this.writer.flush();
    } catch (err) {
      this.held = batch;
      return this.startRetry(err);
    }
    this.ackAll(batch);
  }

  /** The inputs whose records a flush made durable. */
  private ackAll(batch: readonly Tuple[]): void {
    for (const t of batch) this.collector.ack(t);
    this.acked += batch.length;
  }

  /** Starts the retry loop (callers know none runs) and returns its promise. */
  private startRetry(err: unknown): Promise<void> {
    this.retry = this.retryLoop(err).finally(() => (this.retry = null));
    return this.retry;
  }

  /** Until a flush succeeds: report, keep the held trees alive, wait, append them again, flush. Never rejects. */
  private async retryLoop(first: unknown): Promise<void> {
    let err = first;
    for (;;) {
      const delay = this.outage.failed(err);
      this.collector.reportError(new Error(`${(err as Error).message ?? String(err)}; holding ${this.held.length} input(s), retrying in ${delay} ms`));
      const fatal = this.outage.fatal();
      if (fatal !== null) this.collector.failRun(fatal);
      await this.waitHolding(delay);
      const batch = this.held;
      this.held = [];
      try {
        for (const t of batch) this.writer.append(recordOf<R>(t));
        if (this.asyncFlush) await this.writer.flushAsync();
        else this.writer.flush();
      } catch (e) {
        this.held = batch.concat(this.held);
        err = e;
        continue;
      }
      this.outage.ended();
      this.ackAll(batch);
      // Inputs that arrived during the last attempt were held, not appended: now they are.
      for (const t of this.held) this.writer.append(recordOf<R>(t));
      return;
    }
  }

  /** Waits `ms`, resetting the held trees' timeouts before, after and at least every resetEveryMs. */
  private async waitHolding(ms: number): Promise<void> {
    for (let left = ms; ; ) {
      for (const t of this.held) this.collector.resetTimeout(t);
      if (left <= 0) return;
      const step = Math.min(left, this.resetEveryMs);
      await new Promise((r) => setTimeout(r, step));
      left -= step;
    }
  }

  private tryRollAged(): void {
    try {
      this.writer.rollAged();
    } catch (err) {
      this.collector.reportError(err);
    }
  }

  /** The end of a run: every held input durable first (waiting out an outage, unless failAfterMs fails the run). */
  finish(): void | Promise<void> {
    if (!this.asyncFlush && this.retry === null && this.flush() === undefined) return; // the plain case stays synchronous
    return this.settle();
  }

  private async settle(): Promise<void> {
    for (;;) {
      if (this.retry !== null) await this.retry;
      else if (this.loop !== null) await this.loop;
      else if (this.held.length > 0) await this.flushNow();
      else return;
    }
  }

  cleanup(): void | Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    const pending = this.finish();
    if (pending === undefined && !this.asyncFlush) return this.close();
    return (async () => {
      await pending;
      // Every part rolled in parallel, not one after another.
      if (this.asyncFlush) await this.writer.flushAsync(true).catch((err: unknown) => this.collector.reportError(err));
      this.close();
    })();
  }

  private close(): void {
    try {
      this.writer.close();
    } catch (err) {
      this.collector.reportError(err);
    }
  }
}

/**
 * The master-dataset sink as a component source for the builder: every input's `record`
 * field is a fact of `options.dataset`, acked once the fsync holding it returned.
 *
 *   builder.setBolt('master', masterSink({ dataset: orders }), 1).localOrShuffleGrouping('parse', 'facts');
 */
export function masterSink<R>(options: MasterSinkOptions<R>): () => MasterSinkBolt<R> {
  if (typeof options?.dataset?.name !== 'string') throw new Error('masterSink: options.dataset is required (defineDataset)');
  return () => new MasterSinkBolt(options);
}
