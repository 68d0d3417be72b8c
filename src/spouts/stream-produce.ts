/**
 * Produce: a file of pageview events (Apache combined log or JSON Lines, or stdin) appended
 * to a Redis stream with pipelined XADDs, one chunk in flight at a time (so memory stays
 * bounded and Redis is never flooded).
 *
 * Each line is checked with the pageviews parser first. A line that does not parse is NOT
 * appended: it is reported with file and line (and written to the rejects file), because
 * here the file and line are known and the user can fix them; downstream only an entry id
 * would be. Blank lines are skipped. A line repeating the (visitor, normalised URL, time) of
 * a line shortly before it (within the speed layer's 5-minute dedupe window of event time)
 * is counted as a duplicate and not appended: pageviews counts such a request once anyway,
 * and removing it where the whole file is visible keeps it exact across processes, which a
 * per-process dedupe cannot be. Each entry holds:
 *   line   the raw line, as the topology's spout reads it
 *   src    `<file>:<line>`, where it came from
 *   id     the event's identity: a hash of (visitor, normalised URL, time). The topology uses it
 *          as the event id, so an exactly-once view counts a request once even when two
 *          processes see its two copies (a doubled log line, or a file produced twice).
 */
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import { LineReader } from './line-reader.js';
import type { StreamClient } from './stream-connect.js';
import { DEFAULT_LOG_HOST, pageKeysOf, visitorOf, type ParseResult } from '../pageviews/event.js';
import { parseApacheLine } from '../pageviews/parse-apache.js';
import { parseJsonLine } from '../pageviews/parse-jsonl.js';
import { DedupeWindow, dedupeKey } from '../pageviews/dedupe.js';
import { RejectsWriter, type RejectRecord } from '../pageviews/rejects.js';

export interface ProduceOptions {
  readonly client: StreamClient;
  /** A file path, or `-` for stdin. */
  readonly input: string;
  readonly stream: string;
  readonly format: 'apache' | 'jsonl';
  /** Page host of log lines (default semicomplete.com). */
  readonly host?: string;
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
  /** Lines repeating an earlier line's (visitor, URL, time): not appended. */
  duplicates: number;
  elapsedMs: number;
  firstId: string | null;
  lastId: string | null;
}

/** The event id the stream carries: 16 hex digits of SHA-1 over the pageview's identity. */
export function eventIdentity(r: Extract<ParseResult, { ok: true }>): string {
  const e = r.event;
  const k = pageKeysOf(e);
  const key = k !== null ? dedupeKey(k.visitor, k.url, k.ts) : dedupeKey(visitorOf(e), e.url, e.ts);
  return createHash('sha1').update(key).digest('hex').slice(0, 16);
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
  const host = o.host ?? DEFAULT_LOG_HOST;
  const chunk = o.chunk ?? 1000;
  const rejects = new RejectsWriter(o.rejectsPath);
  const stats: ProduceStats = { lines: 0, appended: 0, rejected: 0, skipped: 0, duplicates: 0, elapsedMs: 0, firstId: null, lastId: null };
  let lastProgress = start;
  const dedupe = new DedupeWindow();
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
      const r = o.format === 'jsonl' ? parseJsonLine(line, { id: src }) : parseApacheLine(line, { id: src, host });
      if (!r.ok) {
        const rec: RejectRecord = { line, lineNumber: n, reason: r.reason, source: o.input === '-' ? '-' : o.input };
        rejects.write(rec);
        stats.rejected++;
        o.onReject?.(rec);
        continue;
      }
      const k = pageKeysOf(r.event);
      if (k !== null && dedupe.check(k.visitor, k.url, k.ts) === 'duplicate') {
        stats.duplicates++;
        continue;
      }
      pipe.xadd(o.stream, '*', 'line', line, 'src', src, 'id', eventIdentity(r));
      if (++queued >= chunk) await send();
    }
    await send();
  } finally {
    rejects.close();
  }
  stats.elapsedMs = Date.now() - start;
  return stats;
}
