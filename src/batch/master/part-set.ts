/**
 * The open parts of a PartWriter (part-writer.ts) and what is done to them: opened per
 * partition, drained (buffered lines written, one gzip member each), fsynced, rolled, and on a
 * failed flush cut back to their durable marks. PartWriter decides when; part-file.ts holds
 * the single steps on one file.
 */
import { fsync as fsyncCb, fsyncSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { dateOf, partitionDir } from './layout.js';
import { newUnique } from './names.js';
import { fsyncDir, writeAll } from './durable.js';
import { recoverFile } from './recover.js';
import { closeQuietly, discard, isEmpty, makeDirs, openPart, rollBack, rollPart, rollPartAsync, writeError, type OpenPart } from './part-file.js';
import { DEFAULT_MAX_BYTES, type PartWriterOptions } from './part-writer-options.js';

const fsyncPromise = promisify(fsyncCb);

export abstract class PartSet<R = never> {
  readonly root: string;
  readonly dataset: string;
  /** Paths of the parts this writer rolled, in order. */
  readonly rolled: string[] = [];
  protected readonly parts = new Map<number, OpenPart>();
  protected readonly maxBytes: number;
  protected readonly gzip: boolean;
  protected readonly fsync: (fd: number) => void;
  protected readonly fsyncAsync: (fd: number) => Promise<void>;
  protected readonly write: (fd: number, buf: Uint8Array, position: number) => void;
  protected readonly ownerKey: string | null;
  /** Set while flushAsync runs: nothing may close a descriptor whose fsync is in flight. */
  protected flushing = false;
  /** Directories whose new entries (a partition created) are not yet durable (flushAsync syncs them). */
  protected readonly unsyncedDirs = new Set<string>();
  /** An I/O error met outside a flush (append, the age timer): the next flush rolls back and throws it. */
  protected failure: unknown = null;
  /** Temp files a failed roll had to close: recovered (cut to complete lines, rolled) after a later flush. */
  protected readonly leftovers: string[] = [];

  constructor(opts: PartWriterOptions<R>) {
    this.root = opts.root;
    this.dataset = opts.dataset.name;
    this.maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
    this.gzip = opts.gzip ?? false;
    this.fsync = opts.fsync ?? fsyncSync;
    const custom = opts.fsync;
    this.fsyncAsync = custom !== undefined ? async (fd) => custom(fd) : (fd) => fsyncPromise(fd);
    this.write = opts.write ?? writeAll;
    this.ownerKey = opts.owner === undefined ? null : `${resolve(this.root)}\0${this.dataset}\0${opts.owner}`;
  }

  protected open(day: number, ts: number): OpenPart {
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

  protected ownerTag(): string | undefined {
    return this.ownerKey === null ? undefined : this.ownerKey.slice(this.ownerKey.lastIndexOf('\0') + 1);
  }

  /** Directories entries left to flushAsync, made durable by a synchronous flush or close instead. */
  protected syncDirs(): void {
    for (const dir of this.unsyncedDirs) {
      try {
        fsyncDir(dir);
      } catch (err) {
        throw writeError(dir, err);
      }
    }
    this.unsyncedDirs.clear();
  }

  protected ext(): string {
    return this.gzip ? '.jsonl.gz' : '.jsonl';
  }

  /** Writes buffered lines (one gzip member); rolls by size. False when the part was rolled. */
  protected drain(day: number, part: OpenPart): boolean {
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

  protected syncPart(part: OpenPart): void {
    try {
      this.fsync(part.fd);
    } catch (err) {
      throw writeError(part.dir, err);
    }
    part.synced = true;
    part.durable = part.bytes;
  }

  protected roll(day: number, part: OpenPart): void {
    this.parts.delete(day);
    if (isEmpty(part)) return discard(part); // nothing was ever written: no empty part for readers
    try {
      this.rolled.push(rollPart(part, this.ext(), this.fsync));
    } catch (err) {
      this.unroll(day, part);
      throw writeError(part.dir, err);
    }
  }

  protected async rollAsync(day: number, part: OpenPart): Promise<void> {
    if (isEmpty(part)) return discard(part);
    try {
      this.rolled.push(await rollPartAsync(part, this.ext(), this.fsyncAsync));
    } catch (err) {
      this.unroll(day, part);
      throw writeError(part.dir, err);
    }
  }

  /** A roll failed: a part still open goes back to its partition (the rollback cuts it); a closed one is left over. */
  protected unroll(day: number, part: OpenPart): void {
    if (part.closed) this.leftovers.push(part.tempPath);
    else if (!this.parts.has(day)) this.parts.set(day, part);
    else this.retire(part); // appends opened a newer part for the day meanwhile
  }

  /** Durable marks before a flush: a failed flush cuts back to them (see the failure contract). */
  protected marks(): Map<OpenPart, number> {
    const m = new Map<OpenPart, number>();
    for (const p of this.parts.values()) m.set(p, p.durable);
    return m;
  }

  /** Rolls every part back to its mark, drops a failure kept for this flush, and returns the error to throw. */
  protected failed(err: unknown, marks: ReadonlyMap<OpenPart, number>): Error {
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
  protected retire(part: OpenPart): void {
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

  protected throwFailure(): void {
    if (this.failure !== null) throw this.failure;
  }

  /** After a successful flush: recover what failed rolls left (their complete lines roll; duplicates at worst). */
  protected settleLeftovers(): void {
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
