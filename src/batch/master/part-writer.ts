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
import { fsync as fsyncCb, fsyncSync, mkdirSync, openSync, closeSync, fstatSync, rmSync, renameSync, chmodSync, constants, close as closeCb, open as openCb } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
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
  /** fsync of a part's data; replaceable so tests can delay or fail it (flushAsync calls it too). */
  readonly fsync?: (fd: number) => void;
}

const fsyncAsync = promisify(fsyncCb);
const openAsync = promisify(openCb);
const closeAsync = promisify(closeCb);

/** fsyncDir (durable.ts) off the event loop: the same rule, errors of unsyncable directories ignored. */
async function fsyncDirAsync(dir: string): Promise<void> {
  let fd: number;
  try {
    fd = await openAsync(dir, constants.O_RDONLY);
  } catch {
    return;
  }
  try {
    await fsyncAsync(fd);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'EISDIR' && code !== 'EBADF') throw err;
  } finally {
    await closeAsync(fd);
  }
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
  /** An fsync of its descriptor is in flight (flushAsync): it must not be closed (rolled) meanwhile. */
  inflight: boolean;
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
  private readonly fsyncAsync: (fd: number) => Promise<void>;
  /** Set while flushAsync runs: nothing may close a descriptor whose fsync is in flight. */
  private flushing = false;
  /** Directories whose new entries (a partition created) are not yet durable (flushAsync syncs them). */
  private readonly unsyncedDirs = new Set<string>();
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
    const custom = opts.fsync;
    this.fsyncAsync = custom !== undefined ? async (fd) => custom(fd) : (fd) => fsyncAsync(fd);
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
    this.syncDirs();
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

  /**
   * `flush()` off the event loop: the writes are synchronous (page cache), the fsyncs run in
   * libuv's pool, all parts at once, while the caller keeps appending (those records wait for
   * the next flush). Parts past their age are rolled the same way; `rollAll` rolls every part
   * (the end of a run). Resolves once everything appended before the call is durable; rejects
   * if any fsync failed (that part is abandoned to recovery, as in flush). One at a time.
   */
  async flushAsync(rollAll = false): Promise<void> {
    if (this.flushing) throw new Error('PartWriter.flushAsync: a flush is already in flight');
    this.rethrowTimerError();
    this.flushing = true;
    try {
      const now = Date.now();
      const work: Promise<void>[] = [];
      for (const dir of this.unsyncedDirs) work.push(fsyncDirAsync(dir).catch((err: unknown) => {
        this.unsyncedDirs.add(dir); // retried by the next flush; its records are failed meanwhile
        throw err;
      }));
      this.unsyncedDirs.clear();
      for (const [day, part] of [...this.parts]) {
        if (!this.drain(day, part)) continue; // rolled by size: already durable
        if (rollAll || now - part.createdMs >= this.maxAgeMs) {
          this.parts.delete(day);
          work.push(this.rollAsync(part));
        } else if (!part.synced) {
          part.synced = true; // an append while the fsync runs clears it again
          part.inflight = true;
          work.push(this.fsyncAsync(part.fd).then(
            () => void (part.inflight = false),
            (err: unknown) => {
              part.inflight = false;
              this.abandon(day, part);
              throw err;
            },
          ));
        }
      }
      const failed = (await Promise.allSettled(work)).find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed !== undefined) throw failed.reason;
    } finally {
      this.flushing = false;
    }
  }

  /** rollFile (durable.ts) with its fsyncs off the event loop; the part is already out of `parts`. */
  private async rollAsync(part: OpenPart): Promise<void> {
    if (part.bytes === 0 && fstatSync(part.fd).size === 0) {
      closeSync(part.fd);
      rmSync(part.tempPath, { force: true });
      return;
    }
    try {
      await this.fsyncAsync(part.fd);
    } finally {
      closeSync(part.fd);
    }
    const finalPath = join(part.dir, `part-${part.unique}${this.ext()}`);
    renameSync(part.tempPath, finalPath);
    chmodSync(finalPath, 0o444);
    await fsyncDirAsync(dirname(finalPath));
    this.rolled.push(finalPath);
  }

  /** Rolls parts older than maxAgeMs (their buffered records are written first). */
  rollAged(now = Date.now()): void {
    if (this.flushing) return; // flushAsync rolls aged parts itself
    for (const [day, part] of [...this.parts]) {
      if (now - part.createdMs >= this.maxAgeMs && this.drain(day, part)) this.roll(day, part);
    }
  }

  /** Flushes and rolls every open part; the writer cannot be used afterwards. */
  close(): void {
    if (this.closed) return;
    if (this.flushing) throw new Error('PartWriter.close: a flushAsync is still in flight (await it first)');
    clearInterval(this.timer);
    this.rethrowTimerError();
    this.syncDirs();
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
    const unique = newUnique();
    const tempPath = join(dir, `.part-${unique}${this.ext()}.tmp`);
    const fd = openSync(tempPath, 'wx', 0o644); // O_EXCL: a name clash fails, never clobbers
    const part: OpenPart = { dir, unique, tempPath, fd, createdMs: Date.now(), bytes: 0, chunks: [], buffered: 0, synced: true, inflight: false };
    this.parts.set(day, part);
    return part;
  }

  /** Directory entries left to flushAsync, made durable by a synchronous flush or close instead. */
  private syncDirs(): void {
    for (const dir of this.unsyncedDirs) fsyncDir(dir);
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
      this.guard(day, part, () => writeAll(part.fd, buf));
      part.bytes += buf.length;
    }
    if (part.bytes >= this.maxBytes && !part.inflight) {
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
      this.abandon(day, part);
      throw err;
    }
  }

  private abandon(day: number, part: OpenPart): void {
    if (this.parts.get(day) === part) this.parts.delete(day);
    try {
      closeSync(part.fd);
    } catch {
      // already closed by a failed roll
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
