/**
 * Ingest: an access log or JSON Lines file (or stdin) appended to the master dataset through
 * a PartWriter. Lines are parsed with the pageviews parsers; each event is stored as the fact
 * that arrived (recordOf); a line that does not parse goes to the rejects file with its line
 * number and reason and is not written. Blank lines are skipped, as the pageviews spout does.
 *
 * Durability: the writer is flushed about once a second and closed (every part rolled) at the
 * end, so a killed ingest keeps what it flushed. Ingesting the same input twice stores it
 * twice: ids (`<file>:<line>`) let a reader recognise such repeats.
 */
import { createInterface } from 'node:readline';
import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import { LineReader } from '../../spouts/line-reader.js';
import { DEFAULT_LOG_HOST, type PageviewEvent, type ParseResult } from '../../pageviews/event.js';
import { parseApacheLine } from '../../pageviews/parse-apache.js';
import { parseJsonLine } from '../../pageviews/parse-jsonl.js';
import { RejectsWriter, type RejectRecord } from '../../pageviews/rejects.js';
import type { MasterRecord } from './layout.js';
import { PartWriter, type PartWriterOptions } from './part-writer.js';

/** The raw host of a URL (its authority, as written), or '' for a URL without one. */
export function hostOf(url: string): string {
  const m = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]*)/.exec(url);
  return m === null ? '' : m[1]!;
}

/** A parsed event as the master dataset stores it: the raw fact, nothing normalised. */
export function recordOf(e: PageviewEvent): MasterRecord {
  return {
    id: e.id, url: e.url, host: hostOf(e.url), path: e.path, ip: e.ip, user: e.user, ts: e.ts,
    method: e.method, status: e.status, bytes: e.bytes, referrer: e.referrer, userAgent: e.userAgent,
  };
}

export interface IngestOptions {
  /** A file path, or `-` for `stdin`. */
  readonly input: string;
  readonly format: 'apache' | 'jsonl';
  /** Page host of log lines (default semicomplete.com). */
  readonly host?: string;
  readonly rejectsPath: string;
  readonly writer: PartWriterOptions;
  readonly stdin?: Readable;
  /** Called for every rejected line, after it was written to the rejects file. */
  readonly onReject?: (r: RejectRecord) => void;
  /** Called about every `progressMs` (default 1 s) while the input lasts. */
  readonly onProgress?: (s: IngestStats) => void;
  readonly progressMs?: number;
}

export interface IngestStats {
  lines: number;
  records: number;
  rejected: number;
  skipped: number;
  elapsedMs: number;
  /** Parts rolled by this ingest (set at the end). */
  parts: string[];
  /** Abandoned temp files recovered when the writer started. */
  recovered: number;
}

export async function ingest(opts: IngestOptions): Promise<IngestStats> {
  const start = Date.now();
  const source = opts.input === '-' ? 'stdin' : basename(opts.input);
  const host = opts.host ?? DEFAULT_LOG_HOST;
  const parse = (line: string, id: string): ParseResult =>
    opts.format === 'jsonl' ? parseJsonLine(line, { id }) : parseApacheLine(line, { id, host });
  // Open the input before the writer, so a missing file leaves no trace in the dataset.
  const reader = opts.input === '-' ? null : new LineReader(opts.input);
  const writer = new PartWriter(opts.writer);
  const rejects = new RejectsWriter(opts.rejectsPath);
  const stats: IngestStats = { lines: 0, records: 0, rejected: 0, skipped: 0, elapsedMs: 0, parts: [], recovered: writer.recovery?.recovered.length ?? 0 };
  const progressMs = opts.progressMs ?? 1000;
  let lastFlush = start;
  let lastProgress = start;

  const handle = (line: string): void => {
    const lineNumber = ++stats.lines;
    if (line.trim() === '') {
      stats.skipped++;
    } else {
      const r = parse(line, `${source}:${lineNumber}`);
      if (r.ok) {
        writer.append(recordOf(r.event));
        stats.records++;
      } else {
        const rec: RejectRecord = { line, lineNumber, reason: r.reason, source: opts.input === '-' ? '-' : opts.input };
        rejects.write(rec);
        stats.rejected++;
        opts.onReject?.(rec);
      }
    }
    // Clock reads every 1024 lines only: cheap, and often enough for 1 s granularity.
    if ((lineNumber & 1023) === 0) {
      const now = Date.now();
      if (now - lastFlush >= 1000) {
        writer.flush();
        lastFlush = now;
      }
      if (now - lastProgress >= progressMs) {
        stats.elapsedMs = now - start;
        opts.onProgress?.(stats);
        lastProgress = now;
      }
    }
  };

  try {
    if (reader !== null) {
      for (let line = reader.next(); line !== null; line = reader.next()) handle(line);
    } else {
      const rl = createInterface({ input: opts.stdin ?? process.stdin, crlfDelay: Infinity });
      for await (const line of rl) handle(line);
    }
    writer.close();
  } finally {
    reader?.close();
    rejects.close();
  }
  stats.parts = writer.rolled;
  stats.elapsedMs = Date.now() - start;
  return stats;
}
