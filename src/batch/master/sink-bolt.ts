/**
 * The master-dataset sink: a bolt that appends each input's `record` (a MasterRecord) to the
 * dataset and acks the input only after the fsync that holds it. It holds the inputs of the
 * current flush and acks them all when `PartWriter.flush()` returns; if the flush fails they
 * are all failed, so the spout replays them (at-least-once: a replay after a flush whose ack
 * was lost stores the record twice, with the same `id`).
 *
 * Flushes happen when `flushRecords` inputs are held, on every tick tuple, and otherwise on
 * the bolt's own timer (`flushIntervalMs`) when the component has no tick frequency. One
 * flush costs one fsync per open partition. By default the write and fsync are synchronous
 * (the thread waits for the disk). With `asyncFlush` the fsyncs run off the event loop
 * (PartWriter.flushAsync): the thread keeps executing, inputs arriving meanwhile are held for
 * the next flush, which starts as soon as the previous one returns (so flushes coalesce by
 * themselves under load), and still every input is acked only after the fsync holding its
 * record. If an async flush fails, its inputs AND every input held meanwhile are failed
 * (some of the latter may sit in the abandoned part, which no later fsync covers).
 *
 * Config: `master` (root directory, default ./data/master); `master.gzip`, `master.maxBytes`,
 * `master.maxAgeMs`, `master.flushRecords` override the options.
 */
import type { Config, Bolt } from '../../api/components.js';
import type { OutputCollector } from '../../api/collectors.js';
import type { TopologyContext } from '../../api/context.js';
import type { OutputFieldsDeclarer } from '../../api/declarer.js';
import type { Tuple } from '../../api/tuple.js';
import { DEFAULT_MASTER_ROOT, type MasterRecord } from './layout.js';
import { PartWriter, type PartWriterOptions } from './part-writer.js';

export interface MasterSinkOptions {
  /** Flush once this many inputs are held (default 1000). */
  readonly flushRecords?: number;
  /** Own flush timer when the bolt has no tick frequency (default 200 ms). */
  readonly flushIntervalMs?: number;
  /** Writer options other than the root (which comes from config `master`). */
  readonly writer?: Omit<PartWriterOptions, 'root'>;
  /** fsync off the event loop (see the file comment); default false. */
  readonly asyncFlush?: boolean;
  /** Replaces the writer (tests: a writer whose fsync is observed or blocked). */
  readonly openWriter?: (options: PartWriterOptions) => PartWriter;
}

/** Why a value is not a storable record, or null when it is. */
function invalidRecord(r: unknown): string | null {
  if (typeof r !== 'object' || r === null) return 'record is not an object';
  const o = r as Record<string, unknown>;
  if (typeof o['id'] !== 'string') return 'record has no string id';
  if (typeof o['ts'] !== 'number' || !Number.isFinite(o['ts'])) return `record ${String(o['id'])} has no numeric ts`;
  return null;
}

export class MasterSinkBolt implements Bolt {
  private collector!: OutputCollector;
  private writer!: PartWriter;
  private held: Tuple[] = [];
  private flushRecords: number;
  private timer: NodeJS.Timeout | null = null;
  private readonly asyncFlush: boolean;
  /** The running async flush loop, if any. */
  private loop: Promise<void> | null = null;
  /** Inputs acked after a successful flush, and inputs failed by a failed one. */
  acked = 0;
  failed = 0;

  constructor(private readonly options: MasterSinkOptions = {}) {
    this.flushRecords = options.flushRecords ?? 1000;
    this.asyncFlush = options.asyncFlush ?? false;
  }

  declareOutputFields(_d: OutputFieldsDeclarer): void {}

  prepare(config: Config, _context: TopologyContext, collector: OutputCollector): void {
    this.collector = collector;
    const root = typeof config['master'] === 'string' ? config['master'] : DEFAULT_MASTER_ROOT;
    const num = (k: string): number | undefined => (typeof config[k] === 'number' ? (config[k] as number) : undefined);
    const opts: PartWriterOptions = {
      ...this.options.writer,
      root,
      ...(typeof config['master.gzip'] === 'boolean' ? { gzip: config['master.gzip'] } : {}),
      ...(num('master.maxBytes') !== undefined ? { maxBytes: num('master.maxBytes')! } : {}),
      ...(num('master.maxAgeMs') !== undefined ? { maxAgeMs: num('master.maxAgeMs')! } : {}),
    };
    this.flushRecords = num('master.flushRecords') ?? this.flushRecords;
    this.writer = (this.options.openWriter ?? ((o) => new PartWriter(o)))(opts);
    if (typeof config['tickFrequencyMs'] !== 'number') {
      this.timer = setInterval(() => void this.flushNow(), this.options.flushIntervalMs ?? 200);
      this.timer.unref();
    }
  }

  /** Returns the async flush's promise when it starts or joins one (the runtime counts the thread busy meanwhile). */
  execute(t: Tuple): void | Promise<void> {
    if (t.isTick()) return this.flushNow();
    const record = t.getValueByField('record');
    const problem = invalidRecord(record);
    if (problem !== null) {
      // A record that can never be written would be replayed forever if failed.
      this.collector.reportError(new Error(`${problem} (input from '${t.sourceComponent}' dropped)`));
      this.collector.ack(t);
      return;
    }
    this.writer.append(record as MasterRecord);
    this.held.push(t);
    if (this.held.length >= this.flushRecords) return this.flushNow();
  }

  private flushNow(): void | Promise<void> {
    if (!this.asyncFlush) return this.flush();
    // A flush in flight takes what is held now when it returns: no second loop.
    this.loop ??= this.flushLoop().finally(() => (this.loop = null));
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
        const all = batch.concat(this.held);
        this.held = [];
        return this.failAll(all, err);
      }
      this.ackAll(batch);
    } while (this.held.length > 0);
  }

  /** Makes every held input durable, then acks them; fails them all if that is not possible. */
  flush(): void {
    if (this.held.length === 0) {
      this.tryRollAged();
      return;
    }
    const batch = this.held;
    this.held = [];
    try {
      this.writer.flush();
    } catch (err) {
      return this.failAll(batch, err);
    }
    this.ackAll(batch);
  }

  /** The inputs whose records a flush made durable. */
  private ackAll(batch: readonly Tuple[]): void {
    for (const t of batch) this.collector.ack(t);
    this.acked += batch.length;
  }

  /** The inputs of a flush that failed: replayed by their spouts, never acked. */
  private failAll(batch: readonly Tuple[], err: unknown): void {
    this.collector.reportError(new Error(`master dataset flush failed, ${batch.length} input(s) failed for replay: ${(err as Error).message}`));
    for (const t of batch) this.collector.fail(t);
    this.failed += batch.length;
  }

  private tryRollAged(): void {
    try {
      this.writer.rollAged();
    } catch (err) {
      this.collector.reportError(err);
    }
  }

  finish(): void | Promise<void> {
    return this.flushNow();
  }

  async cleanup(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    if (this.asyncFlush) {
      while (this.loop !== null) await this.loop;
      if (this.held.length > 0) await this.flushNow();
      // Every part rolled with its fsyncs in parallel, not one after another.
      await this.writer.flushAsync(true).catch((err: unknown) => this.collector.reportError(err));
    } else this.flush();
    this.writer.close();
  }
}

/** A component source for the builder: `builder.setBolt('master', masterSink(), 1)`. */
export function masterSink(options: MasterSinkOptions = {}): () => MasterSinkBolt {
  return () => new MasterSinkBolt(options);
}
