/**
 * Appends master records to the dataset: one hidden temp part per UTC-date partition, made
 * durable at each `flush()` and rolled (fsync, rename, read-only) by size, by age and on
 * `close()`. A rolled part is never opened for writing again. What each step does to a part
 * is in part-file.ts; this file decides when.
 *
 * Durability contract: a record passed to `append` is on disk once a later `flush()` (or
 * `close()`) has returned. The caller decides when to flush (the sink bolt flushes before it
 * acks). What a crash leaves in a temp file is recovered by the next writer (recover.ts):
 * cut to its last complete line (gzip: member) and rolled; a writer given an owner tag
 * (names.ts) also adopts at once the temp files of its task's previous, dead, thread.
 *
 * Failure contract: a flush that throws (a MasterWriteError naming the folder and errno)
 * stored none of the records appended since the previous successful flush: every part is cut
 * back to what earlier flushes made durable (freeing a full disk's space), a part that never
 * held a durable line is removed (no empty temp file per failed attempt), and the caller
 * appends those records again to retry. `append` itself never throws an I/O error: one met
 * while buffering or opening is kept and thrown by the next flush.
 *
 * Gzip: each write of buffered lines is one complete gzip member, and a flush ends with a
 * member boundary, so a file cut after any fsync is still a valid gzip stream of whole lines.
 */
import { adoptOwned, recoverDataset, type RecoveredFile, type RecoveryReport } from './recover.js';
import { fsyncDirAsync, writeError } from './part-file.js';
import { DEFAULT_GRACE_MS, DEFAULT_MAX_AGE_MS, type PartWriterOptions } from './part-writer-options.js';
import { PartSet } from './part-set.js';

export { MasterWriteError } from './part-file.js';
export { DEFAULT_GRACE_MS, DEFAULT_MAX_AGE_MS, DEFAULT_MAX_BYTES, type PartWriterOptions } from './part-writer-options.js';

const DAY_MS = 86_400_000;

/** Owner tags with a writer on this thread (module state is per thread): adoption must never take a live writer's files. */
const liveOwners = new Set<string>();

export class PartWriter<R = never> extends PartSet<R> {
  private readonly eventTime: (record: R) => number;
  private readonly encode: (record: R) => string;
  private readonly idOf: (record: R) => string;
  readonly recovery: RecoveryReport | null;
  /** Temp parts of this owner's previous (dead) thread, adopted by the constructor. */
  readonly adopted: readonly RecoveredFile[];
  appended = 0;
  private readonly maxAgeMs: number;
  private readonly bufferBytes: number;
  private readonly timer: NodeJS.Timeout;
  private closed = false;

  constructor(opts: PartWriterOptions<R>) {
    super(opts);
    this.eventTime = opts.dataset.eventTime;
    this.encode = opts.dataset.encode ?? JSON.stringify;
    this.idOf = opts.dataset.id;
    this.maxAgeMs = opts.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
    this.bufferBytes = opts.bufferBytes ?? 1024 * 1024;
    if (this.ownerKey !== null) {
      if (liveOwners.has(this.ownerKey)) throw new Error(`PartWriter: owner '${opts.owner}' already has a writer on this thread for ${this.root}`);
      liveOwners.add(this.ownerKey);
    }
    this.adopted = opts.owner !== undefined ? adoptOwned(this.root, this.dataset, opts.owner) : [];
    const graceMs = opts.graceMs ?? DEFAULT_GRACE_MS;
    this.recovery = opts.recover === false ? null : recoverDataset(this.root, this.dataset, { graceMs });
    // The age limit must hold even when nobody appends or flushes: recovery's grace rule
    // relies on a live writer never keeping a temp file longer than maxAgeMs.
    this.timer = setInterval(() => {
      try {
        this.rollAged();
      } catch (err) {
        this.failure ??= err; // a timer has no caller to throw to: the next flush does
      }
    }, Math.max(50, Math.min(this.maxAgeMs / 4, 10_000)));
    this.timer.unref();
  }

  /** Buffers a record in its partition; durable after the next `flush()` (see the failure contract). */
  append(record: R): void {
    if (this.closed) throw new Error('PartWriter is closed');
    const ts = this.eventTime(record);
    const day = Math.floor(ts / DAY_MS);
    if (!Number.isFinite(day)) throw new Error(`record ${this.idOf(record)} has no valid event time`);
    if (this.failure !== null) return; // the next flush fails: the caller appends it again
    try {
      const part = this.parts.get(day) ?? this.open(day, ts);
      const line = this.encode(record) + '\n';
      part.chunks.push(line);
      part.buffered += line.length;
      part.synced = false;
      this.appended++;
      if (part.buffered >= this.bufferBytes) this.drain(day, part);
    } catch (err) {
      this.failure = err;
    }
  }

  /** Writes and fsyncs everything appended so far; rolls parts past their size or age. */
  flush(): void {
    const marks = this.marks();
    try {
      this.throwFailure();
      this.syncDirs();
      const now = Date.now();
      for (const [day, part] of [...this.parts]) {
        if (!this.drain(day, part)) continue; // rolled by size: already durable
        if (now - part.createdMs >= this.maxAgeMs) this.roll(day, part);
        else if (!part.synced) this.syncPart(part);
      }
    } catch (err) {
      throw this.failed(err, marks);
    }
    this.settleLeftovers();
  }

  /**
   * `flush()` off the event loop: the writes are synchronous (page cache), the fsyncs run in
   * libuv's pool, all parts at once, while the caller keeps appending (those records wait for
   * the next flush). Parts past their age are rolled the same way; `rollAll` rolls every part
   * (the end of a run). Resolves once everything appended before the call is durable; rejects
   * as flush throws (records appended meanwhile are rolled back too). One at a time.
   */
  async flushAsync(rollAll = false): Promise<void> {
    if (this.flushing) throw new Error('PartWriter.flushAsync: a flush is already in flight');
    const marks = this.marks();
    this.flushing = true;
    const work: Promise<void>[] = [];
    let caught: unknown = null;
    try {
      this.throwFailure();
      const now = Date.now();
      for (const dir of this.unsyncedDirs) work.push(fsyncDirAsync(dir).catch((err: unknown) => { throw writeError(dir, err); }));
      this.unsyncedDirs.clear();
      for (const [day, part] of [...this.parts]) {
        if (!this.drain(day, part)) continue;
        if (rollAll || now - part.createdMs >= this.maxAgeMs) {
          this.parts.delete(day);
          work.push(this.rollAsync(day, part));
        } else if (!part.synced) {
          part.synced = true; // an append while the fsync runs clears it again
          part.inflight = true;
          const mark = part.bytes;
          work.push(this.fsyncAsync(part.fd).then(
            () => { part.inflight = false; part.durable = Math.max(part.durable, mark); },
            (err: unknown) => { part.inflight = false; throw writeError(part.dir, err); },
          ));
        }
      }
    } catch (err) {
      caught = err;
    }
    // Every fsync settles before a rollback touches a descriptor.
    const bad = (await Promise.allSettled(work)).find((r): r is PromiseRejectedResult => r.status === 'rejected');
    this.flushing = false;
    caught ??= bad?.reason ?? null;
    if (caught !== null) throw this.failed(caught, marks);
    this.settleLeftovers();
  }

  /** Rolls parts older than maxAgeMs (their buffered records are written first). */
  rollAged(now = Date.now()): void {
    if (this.flushing || this.failure !== null) return; // flushAsync rolls aged parts itself
    for (const [day, part] of [...this.parts]) {
      if (now - part.createdMs >= this.maxAgeMs && this.drain(day, part)) this.roll(day, part);
    }
  }

  /** Flushes and rolls every open part; the writer cannot be used afterwards (it is closed even if this throws). */
  close(): void {
    if (this.closed) return;
    if (this.flushing) throw new Error('PartWriter.close: a flushAsync is still in flight (await it first)');
    clearInterval(this.timer);
    this.closed = true;
    if (this.ownerKey !== null) liveOwners.delete(this.ownerKey);
    const marks = this.marks();
    try {
      this.throwFailure();
      this.syncDirs();
      for (const [day, part] of [...this.parts]) if (this.drain(day, part)) this.roll(day, part);
    } catch (err) {
      throw this.failed(err, marks);
    }
    this.settleLeftovers();
  }

  /** Temp files currently open (for tests and diagnostics). */
  get openTempFiles(): string[] {
    return [...this.parts.values()].map((p) => p.tempPath);
  }
}
