/**
 * Produce: an input file (or stdin) appended to a Redis stream with pipelined XADDs, one
 * chunk in flight at a time (so memory stays bounded and Redis is never flooded).
 *
 * Each line is checked first by `check` (for `topo produce`: the application's input format
 * and its dataset's validation, src/batch/stream-check.ts). A line that does not parse is NOT appended: it is reported
 * with file and line (and written to the rejects file), because here the file and line are
 * known and the user can fix them; downstream only an entry id would be. Blank lines are
 * skipped. A record whose duplicate key repeats one seen within `duplicateWindowMs` of event
 * time is counted as a duplicate and not appended: removing it
 * where the whole file is visible keeps it exact across processes, which a per-process
 * dedupe cannot be. Each entry holds:
 *   line   the raw line, as the topology's spout reads it
 *   src    `<file>:<line>`, where it came from
 *   id     the record's identity (for `topo produce`, the format's `stream.identityOf`, else the dataset's id): a
 *          topology can use it as the event id, so an exactly-once view counts a fact once
 *          even when two processes see its two copies.
 */
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import { LineReader } from './line-reader.js';
import type { StreamClient } from './stream-connect.js';
import { DedupeWindow } from './dedupe-window.js';
import { RejectsWriter, type RejectRecord } from './rejects.js';

/** Where a line came from. */
export interface LineAt {
  /** `<file name>:<line>`, as the entry's `src`. */
  readonly id: string;
  /** The input's path as given, or `-` for stdin. */
  readonly source: string;
  readonly lineNumber: number;
}

/** A line's verdict: the entry's identity, its duplicate key (null: never a duplicate) and event time; or a rejection. */
export type LineVerdict =
  | { readonly ok: true; readonly identity: string; readonly duplicateKey: string | null; readonly time: number }
  | { readonly ok: false; readonly reason: string };

export type LineCheck = (line: string, at: LineAt) => LineVerdict;

export interface ProduceOptions {
  readonly client: StreamClient;
  /** A file path, or `-` for stdin. */
  readonly input: string;
  readonly stream: string;
  /** What a line is: an entry to append, or why it is rejected. */
  readonly check: LineCheck;
  /** Event time within which a repeated duplicate key is a duplicate (default: no duplicate removal). */
  readonly duplicateWindowMs?: number;
  /** XADDs per pipeline (default 1000). */
  readonly chunk?: number;
  readonly rejectsPath: string;
  readonly stdin?: NodeJS.ReadableStream;
  readonly onReject?: (r: RejectRecord) => void;
  readonly onProgress?: (s: ProduceStats) => void;
  readonly progressMs?: number;
}

export interface ProduceStats {
  lines: number;
  appended: number;
  rejected: number;
  skipped: number;
  /** Records repeating an earlier one's duplicate key within its window: not appended. */
  duplicates: number;
  elapsedMs: number;
  firstId: string | null;
  lastId: string | null;
}

async function* linesOf(input: string, stdin?: NodeJS.ReadableStream): AsyncGenerator<string> {
  if (input === '-') {
    for await (const l of createInterface({ input: stdin ?? process.stdin, crlfDelay: Infinity })) yield l;
    return;
  }
  const reader = new LineReader(input);
  try {
    for (let l = reader.next(); l !== null; l = reader.next()) yield l;
  } finally {
    reader.close();
  }
}

export async function produce(o: ProduceOptions): Promise<ProduceStats> {
  const start = Date.now();
  const source = o.input === '-' ? 'stdin' : basename(o.input);
  const where = o.input === '-' ? '-' : o.input;
  const chunk = o.chunk ?? 1000;
  const rejects = new RejectsWriter(o.rejectsPath);
  const stats: ProduceStats = { lines: 0, appended: 0, rejected: 0, skipped: 0, duplicates: 0, elapsedMs: 0, firstId: null, lastId: null };
  let lastProgress = start;
  const dedupe = o.duplicateWindowMs === undefined ? null : new DedupeWindow({ windowMs: o.duplicateWindowMs });
  let pipe = o.client.pipeline();
  let queued = 0;

  const send = async (): Promise<void> => {
    if (queued === 0) return;
    const res = (await pipe.exec()) ?? [];
    for (const [err, id] of res) {
      if (err) throw new Error(`XADD to stream '${o.stream}' failed after ${stats.appended} entries: ${err.message}`);
      stats.firstId ??= id as string;
      stats.lastId = id as string;
      stats.appended++;
    }
    pipe = o.client.pipeline();
    queued = 0;
    const now = Date.now();
    if (o.onProgress && now - lastProgress >= (o.progressMs ?? 1000)) {
      lastProgress = now;
      o.onProgress({ ...stats, elapsedMs: now - start });
    }
  };

  try {
    for await (const line of linesOf(o.input, o.stdin)) {
      const n = ++stats.lines;
      if (line.trim() === '') {
        stats.skipped++;
        continue;
      }
      const src = `${source}:${n}`;
      const r = o.check(line, { id: src, source: where, lineNumber: n });
      if (!r.ok) {
        const rec: RejectRecord = { line, lineNumber: n, reason: r.reason, source: where };
        rejects.write(rec);
        stats.rejected++;
        o.onReject?.(rec);
        continue;
      }
      if (dedupe !== null && r.duplicateKey !== null && dedupe.checkKey(r.duplicateKey, r.time, '') === 'duplicate') {
        stats.duplicates++;
        continue;
      }
      pipe.xadd(o.stream, '*', 'line', line, 'src', src, 'id', r.identity);
      if (++queued >= chunk) await send();
    }
    await send();
  } finally {
    rejects.close();
  }
  stats.elapsedMs = Date.now() - start;
  return stats;
}
