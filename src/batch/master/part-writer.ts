/**
 * Appends master records to the dataset: one hidden temp part per UTC-date partition, made
 * durable at each `flush()` and rolled (fsync, rename, read-only) by size, by age and on
 * `close()`. A rolled part is never opened for writing again.
 *
 * Durability contract: a record passed to `append` is on disk once a later `flush()` (or
 * `close()`) has returned. The caller decides when to flush (the sink bolt flushes before it
 * acks). What a crash leaves in a temp file is recovered by the next writer (recover.ts):
 * cut to its last complete line (gzip: member) and rolled.
 *
 * Gzip: each write of buffered lines is one complete gzip member, and a flush ends with a
 * member boundary, so a file cut after any fsync is still a valid gzip stream of whole lines
 * (readers such as `zcat`, Node's gunzip and DuckDB read concatenated members). The price is
 * weaker compression when flushes are small; `topo compact` writes large members again.
 */
import { fsyncSync, mkdirSync, openSync, closeSync, fstatSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { PAGEVIEWS_DATASET, dateOf, partitionDir, type MasterRecord } from './layout.js';
import { newUnique } from './names.js';
import { fsyncDir, rollFile, writeAll } from './durable.js';
import { recoverDataset, type RecoveryReport } from './recover.js';

export interface PartWriterOptions {
  readonly root: string;
  readonly dataset?: string;
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
  /** fsync of a part's data; replaceable so tests can delay or fail it. */
  readonly fsync?: (fd: number) => void;
}

export const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;
export const DEFAULT_MAX_AGE_MS = 5 * 60_000;
export const DEFAULT_GRACE_MS = 15 * 60_000;
const DAY_MS = 86_400_000;

interface OpenPart {
  readonly dir: string;
  readonly unique: string;
  readonly tempPath: string;
  readonly fd: number;
  readonly createdMs: number;
  bytes: number;
  chunks: string[];
  buffered: number;
  synced: boolean;
}

/** One record as a JSON line, keys in a fixed order so equal records give equal bytes. */
export function recordLine(r: MasterRecord): string {
  return JSON.stringify({
    id: r.id, url: r.url, host: r.host, path: r.path, ip: r.ip, user: r.user, ts: r.ts,
    method: r.method, status: r.status, bytes: r.bytes, referrer: r.referrer, userAgent: r.userAgent,
  }) + '\n';
}

export class PartWriter {
  readonly root: string;
  readonly dataset: string;
  readonly recovery: RecoveryReport | null;
  /** Paths of the parts this writer rolled, in order. */
  readonly rolled: string[] = [];
  appended = 0;
  private readonly parts = new Map<number, OpenPart>();
  private readonly maxBytes: number;
  private readonly maxAgeMs: number;
  private readonly gzip: boolean;
  private readonly bufferBytes: number;
  private readonly fsync: (fd: number) => void;
  private readonly timer: NodeJS.Timeout;
  private timerError: unknown = null;
  private closed = false;

  constructor(opts: PartWriterOptions) {
    this.root = opts.root;
    this.dataset = opts.dataset ?? PAGEVIEWS_DATASET;
    this.maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
    this.maxAgeMs = opts.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
    this.gzip = opts.gzip ?? false;
    this.bufferBytes = opts.bufferBytes ?? 1024 * 1024;
    this.fsync = opts.fsync ?? fsyncSync;
    const graceMs = opts.graceMs ?? DEFAULT_GRACE_MS;
    this.recovery = opts.recover === false ? null : recoverDataset(this.root, this.dataset, { graceMs });
    // The age limit must hold even when nobody appends or flushes: recovery's grace rule
    // relies on a live writer never keeping a temp file longer than maxAgeMs.
    this.timer = setInterval(() => {
      try {
        this.rollAged();
      } catch (err) {
        this.timerError ??= err; // surfaced by the next flush: a timer has no caller to throw to
      }
    }, Math.max(50, Math.min(this.maxAgeMs / 4, 10_000)));
    this.timer.unref();
  }

  /** Buffers a record in its partition; durable after the next `flush()`. */
  append(record: MasterRecord): void {
    if (this.closed) throw new Error('PartWriter is closed');
    const day = Math.floor(record.ts / DAY_MS);
    if (!Number.isFinite(day)) throw new Error(`record ${record.id} has no valid ts`);
    const part = this.parts.get(day) ?? this.open(day, record.ts);
    const line = recordLine(record);
    part.chunks.push(line);
    part.buffered += line.length;
    part.synced = false;
    this.appended++;
    if (part.buffered >= this.bufferBytes) this.drain(day, part);
  }

  /** Writes and fsyncs everything appended so far; rolls parts past their size or age. */
  flush(): void {
    this.rethrowTimerError();
    const now = Date.now();
    for (const [day, part] of [...this.parts]) {
      if (!this.drain(day, part)) continue; // rolled by size: already durable
      if (now - part.createdMs >= this.maxAgeMs) {
        this.roll(day, part);
      } else if (!part.synced) {
        this.guard(day, part, () => this.fsync(part.fd));
        part.synced = true;
      }
    }
  }

  /** Rolls parts older than maxAgeMs (their buffered records are written first). */
  rollAged(now = Date.now()): void {
    for (const [day, part] of [...this.parts]) {
      if (now - part.createdMs >= this.maxAgeMs && this.drain(day, part)) this.roll(day, part);
    }
  }

  /** Flushes and rolls every open part; the writer cannot be used afterwards. */
  close(): void {
    if (this.closed) return;
    clearInterval(this.timer);
    this.rethrowTimerError();
    for (const [day, part] of [...this.parts]) if (this.drain(day, part)) this.roll(day, part);
    this.closed = true;
  }

  /** Temp files currently open (for tests and diagnostics). */
  get openTempFiles(): string[] {
    return [...this.parts.values()].map((p) => p.tempPath);
  }

  private open(day: number, ts: number): OpenPart {
    const dir = partitionDir(this.root, this.dataset, dateOf(ts));
    if (mkdirSync(dir, { recursive: true }) !== undefined) {
      // A new partition's own directory entry must be durable too, or a crash could lose
      // the folder holding a rolled (acknowledged) part.
      fsyncDir(join(this.root, this.dataset));
      fsyncDir(this.root);
    }
    const unique = newUnique();
    const tempPath = join(dir, `.part-${unique}${this.ext()}.tmp`);
    const fd = openSync(tempPath, 'wx', 0o644); // O_EXCL: a name clash fails, never clobbers
    const part: OpenPart = { dir, unique, tempPath, fd, createdMs: Date.now(), bytes: 0, chunks: [], buffered: 0, synced: true };
    this.parts.set(day, part);
    return part;
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
      this.guard(day, part, () => writeAll(part.fd, buf));
      part.bytes += buf.length;
    }
    if (part.bytes >= this.maxBytes) {
      this.roll(day, part);
      return false;
    }
    return true;
  }

  private roll(day: number, part: OpenPart): void {
    this.parts.delete(day);
    if (part.bytes === 0 && fstatSync(part.fd).size === 0) {
      // Nothing was ever written: an empty part would only be noise for readers.
      closeSync(part.fd);
      rmSync(part.tempPath, { force: true });
      return;
    }
    const finalPath = join(part.dir, `part-${part.unique}${this.ext()}`);
    this.guard(day, part, () => rollFile(part.fd, part.tempPath, finalPath, this.fsync));
    this.rolled.push(finalPath);
  }

  /**
   * On an I/O error the part is abandoned: its descriptor closed and its temp file left for
   * recovery (which keeps its complete lines). Whatever was not flushed is the caller's to
   * retry; nothing half written ever becomes visible.
   */
  private guard(day: number, part: OpenPart, op: () => void): void {
    try {
      op();
    } catch (err) {
      this.parts.delete(day);
      try {
        closeSync(part.fd);
      } catch {
        // already closed by a failed roll
      }
      throw err;
    }
  }

  private rethrowTimerError(): void {
    if (this.timerError !== null) {
      const err = this.timerError;
      this.timerError = null;
      throw err;
    }
  }
}
