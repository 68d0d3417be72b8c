/**
 * Compaction: a partition's small parts become one new part, and only then are they removed.
 * The only removal the dataset allows; it loses nothing and never exposes a duplicate.
 *
 * Steps, under a per-partition lock (`.compact.lock`, O_EXCL; taken over only when its pid
 * is dead on this host or it is older than the grace period):
 *   1. finish earlier runs: a manifest whose output exists has its inputs removed; a void one
 *      (no output) is deleted with its `.compact-*` temp;
 *   2. copy the inputs' lines into `.compact-<u>.tmp` (hidden, not a writer temp, so recovery
 *      never rolls it), fsync, read it back and check its line count equals the inputs' sum;
 *   3. write the manifest `_compaction-<u>.json` (temp, fsync, rename, fsync dir);
 *   4. rename the output to `part-<u>.jsonl[.gz]`, read-only, fsync dir;
 *   5. remove the inputs, fsync dir, remove the manifest.
 * A crash before 4 leaves a void manifest (readers ignore it); between 4 and 5 the manifest
 * applies and readers skip the inputs (layout.ts's reader rule); step 1 of the next run
 * completes either.
 */
import { binaryPathOf } from './binary-form.js';
import { closeSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, fsyncSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync, gunzipSync } from 'node:zlib';
import { COMPACT_TEMP_FILE, partitionDir, type CompactionManifest } from './layout.js';
import { partitionDirs } from './recover.js';
import { fsyncDir, rollFile, writeAll } from './durable.js';
import { isAbandoned, newUnique } from './names.js';
import { listPartition, readPartLines, sizeOf } from './list.js';
import { DEFAULT_GRACE_MS, DEFAULT_MAX_BYTES } from './part-writer.js';

export interface CompactOptions {
  /** Compact only when at least this many small parts exist (default 2). */
  readonly minFiles?: number;
  /** Parts of at least this size are left as they are (default 64 MB). */
  readonly smallBytes?: number;
  readonly gzip?: boolean;
  readonly graceMs?: number;
  /** Test hook: runs after the output's rename, before the inputs are removed (throw to "crash"). */
  readonly beforeRemove?: () => void;
}

export interface CompactResult {
  readonly dir: string;
  /** The new part, or null when there was nothing to compact. */
  readonly output: string | null;
  readonly inputs: string[];
  readonly lines: number;
  /** Earlier interrupted runs completed (inputs removed) or voided. */
  readonly finished: number;
  readonly voided: number;
}

const CHUNK = 4 * 1024 * 1024; // one gzip member per ~4 MB keeps compression good

export function compactPartition(dir: string, opts: CompactOptions = {}): CompactResult {
  const release = lock(dir, opts.graceMs ?? DEFAULT_GRACE_MS);
  try {
    const { finished, voided } = finishEarlier(dir, opts.graceMs ?? DEFAULT_GRACE_MS);
    const small = listPartition(dir).parts.filter((n) => sizeOf(join(dir, n)) < (opts.smallBytes ?? DEFAULT_MAX_BYTES));
    if (small.length < (opts.minFiles ?? 2)) return { dir, output: null, inputs: [], lines: 0, finished, voided };
    const unique = newUnique();
    const ext = opts.gzip ? '.jsonl.gz' : '.jsonl';
    const tempPath = join(dir, `.compact-${unique}${ext}.tmp`);
    const output = `part-${unique}${ext}`;
    const fd = openSync(tempPath, 'wx', 0o644);
    let lines = 0;
    try {
      let pending: string[] = [];
      let size = 0;
      const write = (): void => {
        const text = pending.join('');
        writeAll(fd, opts.gzip ? gzipSync(text) : Buffer.from(text, 'utf8'));
        pending = [];
        size = 0;
      };
      for (const name of small) {
        for (const line of readPartLines(join(dir, name))) {
          pending.push(line + '\n');
          size += line.length + 1;
          lines++;
          if (size >= CHUNK) write();
        }
      }
      if (size > 0) write();
      fsyncSync(fd);
    } catch (err) {
      closeSync(fd);
      rmSync(tempPath, { force: true });
      throw err;
    }
    const written = countLines(tempPath, opts.gzip ?? false);
    if (written !== lines) {
      closeSync(fd);
      rmSync(tempPath, { force: true });
      throw new Error(`${dir}: compacted file holds ${written} lines, inputs ${lines}; inputs kept`);
    }
    const manifest: CompactionManifest = { output, inputs: small, lines };
    writeManifest(dir, `_compaction-${unique}.json`, manifest);
    rollFile(fd, tempPath, join(dir, output));
    opts.beforeRemove?.();
    removeInputs(dir, `_compaction-${unique}.json`, small);
    return { dir, output: join(dir, output), inputs: small, lines, finished, voided };
  } finally {
    release();
  }
}

/** Compacts the given dates' partitions of a dataset (all partitions when `dates` is null), one at a time. */
export function compactDataset(root: string, dates: readonly string[] | null, opts: CompactOptions & { dataset: string }): CompactResult[] {
  const dataset = opts.dataset;
  const dirs = dates === null ? partitionDirs(root, dataset) : dates.map((d) => partitionDir(root, dataset, d));
  return dirs.map((dir) => compactPartition(dir, opts));
}

function countLines(path: string, gzip: boolean): number {
  const raw = readFileSync(path);
  const buf = gzip ? gunzipSync(raw) : raw;
  let n = 0;
  for (let i = buf.indexOf(0x0a); i !== -1; i = buf.indexOf(0x0a, i + 1)) n++;
  return n;
}

function writeManifest(dir: string, name: string, m: CompactionManifest): void {
  const temp = join(dir, `.${name}.tmp`);
  const fd = openSync(temp, 'wx', 0o644);
  try {
    writeAll(fd, Buffer.from(JSON.stringify(m) + '\n'));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, join(dir, name));
  fsyncDir(dir);
}

function removeInputs(dir: string, manifest: string, inputs: readonly string[]): void {
  for (const n of inputs) {
    rmSync(join(dir, n), { force: true });
    rmSync(binaryPathOf(join(dir, n)), { force: true }); // derived from it (binary-form.ts)
  }
  fsyncDir(dir); // the removals are durable before the manifest that explains them goes
  rmSync(join(dir, manifest), { force: true });
  fsyncDir(dir);
}

function finishEarlier(dir: string, graceMs: number): { finished: number; voided: number } {
  let finished = 0;
  let voided = 0;
  for (const m of listPartition(dir).manifests) {
    if (m.applies) {
      removeInputs(dir, m.name, m.manifest.inputs);
      finished++;
    } else {
      rmSync(join(dir, m.name), { force: true });
      voided++;
    }
  }
  // Outputs of runs that stopped before their manifest: never visible, safe to delete.
  for (const n of readdirSync(dir)) {
    if (COMPACT_TEMP_FILE.test(n) && isAbandoned(n, statSync(join(dir, n)).mtimeMs, graceMs)) rmSync(join(dir, n), { force: true });
  }
  fsyncDir(dir);
  return { finished, voided };
}

function lock(dir: string, graceMs: number): () => void {
  const path = join(dir, '.compact.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, newUnique(), { flag: 'wx' });
      return () => rmSync(path, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = readFileSync(path, 'utf8');
      if (!isAbandoned(holder, statSync(path).mtimeMs, graceMs)) {
        throw new Error(`${dir} is being compacted by another process (${path}); try again later`);
      }
      rmSync(path, { force: true });
    }
  }
  throw new Error(`${dir}: could not take ${path}`);
}
