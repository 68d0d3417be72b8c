/**
 * The master dataset's layout on disk, shared by its writers (ingest, the sink bolt,
 * compaction) and its readers (the batch runner). Immutable and append-only: new data
 * arrives as new files; a file appears whole (temp name, fsync, rename, read-only).
 *
 *   <root>/<dataset>/date=YYYY-MM-DD/part-<unique>.jsonl[.gz]    rolled, read-only, never rewritten
 *   <root>/<dataset>/date=YYYY-MM-DD/.part-<unique>.jsonl.tmp    being written (hidden)
 *
 * Partitioned by the event's UTC date. Plain JSON Lines, which Spark, Trino or DuckDB read
 * as they are. A record is a fact of the dataset as it arrived (dataset.ts says what one is).
 */
import { join } from 'node:path';

export const DEFAULT_MASTER_ROOT = './data/master';

export function dateOf(ts: number): string {
  return new Date(ts).toISOString().slice(0, 10);
}

export function partitionDir(root: string, dataset: string, date: string): string {
  return join(root, dataset, `date=${date}`);
}

/** Rolled file names: visible to readers. */
export const PART_FILE = /^part-[A-Za-z0-9_.-]+\.jsonl(\.gz)?$/;
/** Files being written: hidden from readers, recovered by the next writer. */
export const TEMP_FILE = /^\.part-[A-Za-z0-9_.-]+\.jsonl(\.gz)?\.tmp$/;
export const PARTITION_DIR = /^date=(\d{4}-\d{2}-\d{2})$/;

/**
 * Compaction (`topo compact`) is the only removal the dataset allows. It writes one new part
 * from a partition's small parts and only then removes them. To make the window between the
 * new part's rename and the inputs' removal safe, it first writes (fsynced, renamed) a
 * manifest in the partition:
 *
 *   <partition>/_compaction-<unique>.json   {"output": "part-<unique>.jsonl", "inputs": [...], "lines": N}
 *
 * READER RULE (every reader of the dataset must honour it): in a partition, for each
 * manifest whose `output` file exists, skip every part named in its `inputs` that still
 * exists; they are superseded (the output holds each of their lines exactly once). A
 * manifest whose output does not exist is void (compaction stopped before its rename) and
 * is ignored. A part that was listed but is gone when opened was removed by a compaction
 * that finished meanwhile: list the partition again. Manifests and the partition lock
 * (`.compact.lock`) are not parts: readers match {@link PART_FILE} only.
 */
export const COMPACTION_MANIFEST = /^_compaction-[A-Za-z0-9_.-]+\.json$/;
/** Compaction's own output while being written: hidden, never recovered as a part. */
export const COMPACT_TEMP_FILE = /^\.compact-[A-Za-z0-9_.-]+\.tmp$/;

/** What a compaction manifest holds (see {@link COMPACTION_MANIFEST}). */
export interface CompactionManifest {
  readonly output: string;
  readonly inputs: readonly string[];
  readonly lines: number;
}
