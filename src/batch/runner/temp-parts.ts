/**
 * Temp parts are facts the batch does not read (readers see rolled parts only), so before a
 * run lists its parts it settles them: a temp part whose writer is gone (recover.ts's rule:
 * its pid dead on this host, or untouched for the grace period) is recovered here (cut to its
 * complete lines and rolled) and then read like any part; one of a live writer is scanned for
 * the earliest event time it holds, and the run's watermarks are capped below it, so no batch
 * version covers a bucket holding a fact it did not read and no realtime bucket that still
 * holds the only copy of such a fact is expired. A temp part this run may not recover (the
 * master folder is read-only for it) counts as live.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { completePrefix } from '../master/durable.js';
import { PARTITION_DIR } from '../master/layout.js';
import { isAbandoned } from '../master/names.js';
import { partitionDirs, recoverFile, tempFilesIn } from '../master/recover.js';
import { DEFAULT_GRACE_MS } from '../master/part-writer.js';
import type { ListOptions } from '../reader.js';

export interface TempPartsReport {
  /** Abandoned temp parts recovered (rolled) before reading. */
  readonly recovered: number;
  /** Temp parts of live writers (or not recoverable by this run): not read. */
  readonly live: number;
  /** Complete lines they hold. */
  readonly liveLines: number;
  /** The earliest event time among those lines: watermarks stay at or below it. Null: none. */
  readonly liveEarliest: number | null;
}

export function settleTempParts(root: string, dataset: string, range: ListOptions, graceMs = DEFAULT_GRACE_MS): TempPartsReport {
  let recovered = 0, live = 0, liveLines = 0;
  let earliest = Infinity;
  for (const dir of partitionDirs(root, dataset)) {
    const date = PARTITION_DIR.exec(dir.slice(dir.lastIndexOf('/') + 1))?.[1];
    if (date === undefined || (range.since !== undefined && date < range.since) || (range.until !== undefined && date > range.until)) continue;
    // A file rolled meanwhile is skipped: the listing that follows reads it.
    for (const { name, path, mtimeMs } of tempFilesIn(dir)) {
      if (isAbandoned(name, mtimeMs, graceMs)) {
        try {
          if (recoverFile(dir, name) !== null) recovered++;
          continue;
        } catch {
          // not ours to change (read-only for this run): not read, so it caps like a live one
        }
      }
      const held = scan(path);
      if (held === null) continue;
      live++;
      liveLines += held.lines;
      earliest = Math.min(earliest, held.earliest);
    }
  }
  return { recovered, live, liveLines, liveEarliest: earliest === Infinity ? null : earliest };
}

/** Complete lines of a temp part and their earliest `ts` (lines without one are ignored: the run's reader names them once rolled). */
function scan(path: string): { lines: number; earliest: number } | null {
  let raw: Buffer;
  try {
    raw = readFileSync(path);
  } catch {
    return null; // rolled or recovered meanwhile
  }
  const gzip = path.endsWith('.gz.tmp');
  const whole = raw.subarray(0, completePrefix(raw, gzip));
  const text = (gzip ? gunzipSync(whole) : whole).toString('utf8');
  let lines = 0, earliest = Infinity;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    lines++;
    try {
      const ts = (JSON.parse(line) as { ts?: unknown }).ts;
      if (typeof ts === 'number' && Number.isFinite(ts)) earliest = Math.min(earliest, ts);
    } catch {
      // a bad line: not a fact any view reads
    }
  }
  return { lines, earliest };
}
