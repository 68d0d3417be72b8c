/**
 * What a PartWriter (part-writer.ts) is given, and its defaults: the size and age limits that
 * roll a part, and the grace period of recovery, which compaction and the batch runner read too.
 */
import type { DatasetDef } from '../dataset.js';

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
