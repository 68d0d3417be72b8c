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
import { fsync as fsyncCb, fsyncSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import type { DatasetDef } from '../dataset.js';
import { dateOf, partitionDir } from './layout.js';
import { newUnique } from './names.js';
import { fsyncDir, writeAll } from './durable.js';
import { adoptOwned, recoverDataset, recoverFile, type RecoveredFile, type RecoveryReport } from './recover.js';
import { closeQuietly, discard, fsyncDirAsync, isEmpty, makeDirs, openPart, rollBack, rollPart, rollPartAsync, writeError, type OpenPart } from './part-file.js';

export { MasterWriteError } from './part-file.js';

export interface PartWriterOptions<R = never> {
  readonly root: string;
  /** The kind of fact written: its folder, its event time (the partition) and its line. */
  readonly dataset: DatasetDef<R>;
  /** Roll a part once this many bytes are on disk (default 64 MB). */
  readonly maxBytes?: number;
  /** Roll a part this long after its creation (default 5 minutes); a timer enforces it. */
  readonly maxAgeMs?: number;
  readonly gzip?: boolean;
  /** Buffered bytes per partition before they are written out (not yet fsynced); default 1 MB. */
  readonly bufferBytes?: number;
  /** Recover abandoned temp files before writing (default true); see names.ts for the rule. */
  readonly recover?: boolean;
  /** Grace period of the recovery rule (default 15 minutes; must exceed every writer's maxAgeMs). */
  readonly graceMs?: number;
  /** fsync of a part's data; replaceable so tests can delay or fail it (flushAsync calls it too). */
  readonly fsync?: (fd: number) => void;
  /** Write of a whole buffer at `position` (a part's end); replaceable so tests can fail it (ENOSPC). */
  readonly write?: (fd: number, buf: Uint8Array, position: number) => void;
  /** Owner tag (names.ts `ownerTag`) of the task writing: its dead predecessor's temp parts are adopted at once. */
  readonly owner?: string;
}

export const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;
export const DEFAULT_MAX_AGE_MS = 5 * 60_000;
export const DEFAULT_GRACE_MS = 15 * 60_000;
const DAY_MS = 86_400_000;
const fsyncPromise = promisify(fsyncCb);

/** Owner tags with a writer on this thread (module state is per thread): adoption must never take a live writer's files. */
const liveOwners = new Set<string>();

export class PartWriter<R = never> {
  readonly root: string;
  readonly dataset: string;
  private readonly eventTime: (record: R) => number;
  private readonly encode: (record: R) => string;
  private readonly idOf: (record: R) => string;
  readonly recovery: RecoveryReport | null;
  /** Temp parts of this owner's previous (dead) thread, adopted by the constructor. */
  readonly adopted: readonly RecoveredFile[];
  /** Paths of the parts this writer rolled, in order. */
  readonly rolled: string[] = [];
  appended = 0;
  private readonly parts = new Map<number, OpenPart>();
  private readonly maxBytes: number;
  private readonly maxAgeMs: number;
  private readonly gzip: boolean;
  private readonly bufferBytes: number;
  private readonly fsync: (fd: number) => void;
  private readonly fsyncAsync: (fd: number) => Promise<void>;
  private readonly write: (fd: number, buf: Uint8Array, position: number) => void;
  private readonly ownerKey: string | null;
  /** Set while flushAsync runs: nothing may close a descriptor whose fsync is in flight. */
  private flushing = false;
  /** Directories whose new entries (a partition created) are not yet durable (flushAsync syncs them). */
  private readonly unsyncedDirs = new Set<string>();
  /** An I/O error met outside a flush (append, the age timer): the next flush rolls back and throws it. */
  private failure: unknown = null;
  /** Temp files a failed roll had to close: recovered (cut to complete lines, rolled) after a later flush. */
  private readonly leftovers: string[] = [];
  private readonly timer: NodeJS.Timeout;
  private closed = false;

  constructor(opts: PartWriterOptions<R>) {
    this.root = opts.root;
    this.dataset = opts.dataset.name;
    this.eventTime = opts.dataset.eventTime;
    this.encode = opts.dataset.encode ?? JSON.stringify;
    this.idOf = opts.dataset.id;
    this.maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
    this.maxAgeMs = opts.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
    this.gzip = opts.gzip ?? false;
    this.bufferBytes = opts.bufferBytes ?? 1024 * 1024;
    this.fsync = opts.fsync ?? fsyncSync;
    const custom = opts.fsync;
    this.fsyncAsync = custom !== undefined ? async (fd) => custom(fd) : (fd) => fsyncPromise(fd);
    this.write = opts.write ?? writeAll;
    this.ownerKey = opts.owner === undefined ? null : `${resolve(this.root)}\0${this.dataset}\0${opts.owner}`;
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

  private open(day: number, ts: number): OpenPart {
    const dir = partitionDir(this.root, this.dataset, dateOf(ts));
    try {
      if (makeDirs(dir)) {
        // A new partition's own directory entry must be durable too, or a crash could lose
        // the folder holding a rolled (acknowledged) part: now, or (flushAsync) before the
        // flush that makes its records durable returns.
        if (this.flushing || this.unsyncedDirs.size > 0) {
          this.unsyncedDirs.add(join(this.root, this.dataset));
          this.unsyncedDirs.add(this.root);
        } else {
          fsyncDir(join(this.root, this.dataset));
          fsyncDir(this.root);
        }
      }
      const part = openPart(dir, newUnique(Date.now(), this.ownerTag()), this.ext(), Date.now());
      this.parts.set(day, part);
      return part;
    } catch (err) {
      throw writeError(dir, err);
    }
  }

  private ownerTag(): string | undefined {
    return this.ownerKey === null ? undefined : this.ownerKey.slice(this.ownerKey.lastIndexOf('\0') + 1);
  }

  /** Directories entries left to flushAsync, made durable by a synchronous flush or close instead. */
  private syncDirs(): void {
    for (const dir of this.unsyncedDirs) {
      try {
        fsyncDir(dir);
      } catch (err) {
        throw writeError(dir, err);
      }
    }
    this.unsyncedDirs.clear();
  }

  private ext(): string {
    return this.gzip ? '.jsonl.gz' : '.jsonl';
  }

  /** Writes buffered lines (one gzip member); rolls by size. False when the part was rolled. */
  private drain(day: number, part: OpenPart): boolean {
    if (part.buffered > 0) {
      const text = part.chunks.join('');
      part.chunks = [];
      part.buffered = 0;
      const buf = this.gzip ? gzipSync(text) : Buffer.from(text, 'utf8');
      try {
        // At an explicit position, not the descriptor's offset: a rollback's ftruncate does not
        // move the offset back, and a write there would leave a hole of zeros in the part.
        this.write(part.fd, buf, part.bytes);
      } catch (err) {
        throw writeError(part.dir, err);
      }
      part.bytes += buf.length;
    }
    if (part.bytes >= this.maxBytes && !part.inflight) {
      this.roll(day, part);
      return false;
    }
    return true;
  }

  private syncPart(part: OpenPart): void {
    try {
      this.fsync(part.fd);
    } catch (err) {
      throw writeError(part.dir, err);
    }
    part.synced = true;
    part.durable = part.bytes;
  }

  private roll(day: number, part: OpenPart): void {
    this.parts.delete(day);
    if (isEmpty(part)) return discard(part); // nothing was ever written: no empty part for readers
    try {
      this.rolled.push(rollPart(part, this.ext(), this.fsync));
    } catch (err) {
      this.unroll(day, part);
      throw writeError(part.dir, err);
    }
  }

  private async rollAsync(day: number, part: OpenPart): Promise<void> {
    if (isEmpty(part)) return discard(part);
    try {
      this.rolled.push(await rollPartAsync(part, this.ext(), this.fsyncAsync));
    } catch (err) {
      this.unroll(day, part);
      throw writeError(part.dir, err);
    }
  }

  /** A roll failed: a part still open goes back to its partition (the rollback cuts it); a closed one is left over. */
  private unroll(day: number, part: OpenPart): void {
    if (part.closed) this.leftovers.push(part.tempPath);
    else if (!this.parts.has(day)) this.parts.set(day, part);
    else this.retire(part); // appends opened a newer part for the day meanwhile
  }

  /** Durable marks before a flush: a failed flush cuts back to them (see the failure contract). */
  private marks(): Map<OpenPart, number> {
    const m = new Map<OpenPart, number>();
    for (const p of this.parts.values()) m.set(p, p.durable);
    return m;
  }

  /** Rolls every part back to its mark, drops a failure kept for this flush, and returns the error to throw. */
  private failed(err: unknown, marks: ReadonlyMap<OpenPart, number>): Error {
    this.failure = null;
    for (const [day, part] of [...this.parts]) {
      part.durable = Math.min(part.durable, marks.get(part) ?? 0);
      this.parts.delete(day);
      if (rollBack(part) && part.durable > 0) this.parts.set(day, part);
      else this.retire(part);
    }
    return writeError(join(this.root, this.dataset), err);
  }

  /** Out of the writer for good: removed when it holds nothing durable, else left over for recovery. */
  private retire(part: OpenPart): void {
    if (!part.closed && part.durable === 0) {
      try {
        return discard(part);
      } catch {
        // fall through: left over
      }
    }
    closeQuietly(part);
    this.leftovers.push(part.tempPath);
  }

  private throwFailure(): void {
    if (this.failure !== null) throw this.failure;
  }

  /** After a successful flush: recover what failed rolls left (their complete lines roll; duplicates at worst). */
  private settleLeftovers(): void {
    while (this.leftovers.length > 0) {
      const path = this.leftovers[0]!;
      try {
        const r = recoverFile(dirname(path), basename(path));
        if (r?.part) this.rolled.push(r.part);
      } catch {
        return; // still failing: tried again after the next flush; recovery takes it at worst
      }
      this.leftovers.shift();
    }
  }
}
