/**
 * The master dataset's layout on disk, shared by its writers (ingest, the sink bolt,
 * compaction) and its readers (the batch runner). Immutable and append-only: new data
 * arrives as new files; a file appears whole (temp name, fsync, rename, read-only).
 *
 *   <root>/<dataset>/date=YYYY-MM-DD/part-<unique>.jsonl[.gz]    rolled, read-only, never rewritten
 *   <root>/<dataset>/date=YYYY-MM-DD/.part-<unique>.jsonl.tmp    being written (hidden)
 *
 * Partitioned by the event's UTC date. Plain JSON Lines, which Spark, Trino or DuckDB read
 * as they are. A record is the parsed fact as it arrived (see MasterRecord).
 */
import { join } from 'node:path';

export const DEFAULT_MASTER_ROOT = './data/master';
export const PAGEVIEWS_DATASET = 'pageviews';

/** One pageview fact: raw values, not normalised, so a normaliser fix is applied by recompute. */
export interface MasterRecord {
  /** Stable event id (source file and line, or a stream entry id). */
  readonly id: string;
  /** Raw page URL (`http://<host><path>` for log lines). */
  readonly url: string;
  readonly host: string;
  readonly path: string;
  /** Client address. */
  readonly ip: string;
  readonly user: string | null;
  /** Event time, epoch ms UTC. */
  readonly ts: number;
  readonly method: string | null;
  readonly status: number | null;
  readonly bytes: number | null;
  readonly referrer: string | null;
  readonly userAgent: string | null;
}

export function dateOf(ts: number): string {
  return new Date(ts).toISOString().slice(0, 10);
}

export function partitionDir(root: string, dataset: string, date: string): string {
  return join(root, dataset, `date=${date}`);
}

/** Rolled file names: visible to readers. */
export const PART_FILE = /^part-[A-Za-z0-9_.-]+\.jsonl(\.gz)?$/;
/** Files being written: hidden from readers, recovered by the next writer. */
export const TEMP_FILE = /^\.part-[A-Za-z0-9_.-]+\.jsonl\.tmp$/;
export const PARTITION_DIR = /^date=(\d{4}-\d{2}-\d{2})$/;
