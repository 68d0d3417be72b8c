/**
 * Reads the master dataset for the batch layer: which rolled part files a run reads (only the
 * partitions in `--since/--until`), and their records line by line. Hidden temp files are
 * never read: they are being written, and appear whole when rolled. Nothing is skipped
 * silently: a line that is not a record is reported with its file and line number, and the
 * caller decides whether the run fails (`--strict`) or counts it.
 */
import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { COMPACTION_MANIFEST, PART_FILE, PARTITION_DIR, partitionDir, type CompactionManifest } from './master/layout.js';

export interface PartFile {
  readonly path: string;
  /** The partition's UTC date, `YYYY-MM-DD`. */
  readonly date: string;
  readonly bytes: number;
}

export interface ListOptions {
  /** First partition date read (inclusive), `YYYY-MM-DD`. */
  readonly since?: string;
  /** Last partition date read (inclusive). */
  readonly until?: string;
}

/** A line of the dataset that is not a record: named by file and line. */
export class BadRecordError extends Error {
  override readonly name = 'BadRecordError';
  constructor(readonly file: string, readonly line: number, readonly reason: string) {
    super(`${file}:${line}: ${reason}`);
  }
}

/**
 * The rolled part files of a dataset, in partition then name order (a stable order makes
 * runs reproducible). A missing dataset folder is an empty dataset, not an error: a fresh
 * installation has no data yet.
 */
export async function listPartFiles(root: string, dataset: string, options: ListOptions = {}): Promise<PartFile[]> {
  const base = join(root, dataset);
  let dirs: string[];
  try {
    dirs = await readdir(base);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const dates = dirs
    .map((d) => PARTITION_DIR.exec(d)?.[1])
    .filter((d): d is string => d !== undefined)
    .filter((d) => (options.since === undefined || d >= options.since) && (options.until === undefined || d <= options.until))
    .sort();
  const out: PartFile[] = [];
  for (const date of dates) out.push(...(await listPartition(root, dataset, date)));
  return out;
}

/**
 * The part files of one partition, honouring layout.ts's compaction rule: the inputs of a
 * compaction whose output exists are superseded (the output holds their lines) and skipped;
 * a manifest whose output is missing is void. A part removed between readdir and stat was
 * removed by a compaction that finished meanwhile: the partition is listed again.
 */
export async function listPartition(root: string, dataset: string, date: string, attempts = 5): Promise<PartFile[]> {
  const dir = partitionDir(root, dataset, date);
  const names = await readdir(dir);
  const present = new Set(names);
  const superseded = new Set<string>();
  for (const m of names.filter((n) => COMPACTION_MANIFEST.test(n))) {
    const manifest = JSON.parse(await readFile(join(dir, m), 'utf8')) as CompactionManifest;
    if (present.has(manifest.output)) for (const i of manifest.inputs) superseded.add(i);
  }
  const out: PartFile[] = [];
  for (const name of names.filter((n) => PART_FILE.test(n) && !superseded.has(n)).sort()) {
    const path = join(dir, name);
    try {
      out.push({ path, date, bytes: (await stat(path)).size });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || attempts <= 1) throw err;
      return listPartition(root, dataset, date, attempts - 1);
    }
  }
  return out;
}

export interface LineObserver {
  value(value: unknown, line: number): void;
  notJson(line: number, reason: string): void;
}

/** Why a line's value is not a record (null: it is one); dataset.ts's factProblem for a dataset. */
export type RecordCheck = (value: unknown) => string | null;

const anyObject: RecordCheck = (v) => (typeof v === 'object' && v !== null && !Array.isArray(v) ? null : 'not a JSON object');

/**
 * Records of one part file (gzip when it ends in `.gz`), in chunks of whole lines. A line
 * that is not JSON or fails `check` (the dataset's validation) goes to `onBad` (default:
 * thrown as BadRecordError) named by file and line; empty
 * lines are not records and are passed over (a writer never writes them, but an editor
 * might add a final one).
 *
 * Why chunks and not readline: a promise and an iterator step per line cost more than the
 * JSON.parse of the line (the batch profile showed readline, its regex and Promise.race per
 * line as the largest costs of the map phase). One `await` per 1 MiB read is nothing.
 */
export async function* readRecordChunks<R = Record<string, unknown>>(
  file: string,
  onBad: (err: BadRecordError) => void = (err) => {
    throw err;
  },
  check: RecordCheck = anyObject,
  /** Sees every line that is JSON (before `check`) and every one that is not, in order (part-records.ts derives the binary form from them). */
  observe?: LineObserver,
): AsyncGenerator<R[]> {
  const raw = createReadStream(file, { highWaterMark: 1 << 20 });
  const gunzip = file.endsWith('.gz') ? createGunzip() : null;
  // A read error (ENOENT, EIO) must end the gunzip's iteration too, not leave it waiting.
  if (gunzip) raw.once('error', (err) => gunzip.destroy(err)).pipe(gunzip);
  const input = gunzip ?? raw;
  input.setEncoding('utf8');
  let n = 0;
  let rest = '';
  const parse = (text: string, out: R[]): void => {
    n++;
    // Lines end in \n; a \r before it (an editor's CRLF) is part of the line break.
    const line = text.length > 0 && text.charCodeAt(text.length - 1) === 13 ? text.slice(0, -1) : text;
    if (line.length === 0 || (line.charCodeAt(0) <= 32 && line.trim() === '')) return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      const reason = `not JSON (${(err as Error).message})`;
      observe?.notJson(n, reason);
      onBad(new BadRecordError(file, n, reason));
      return;
    }
    observe?.value(value, n);
    const problem = check(value);
    if (problem !== null) onBad(new BadRecordError(file, n, problem));
    else out.push(value as R);
  };
  try {
    for await (const chunk of input as AsyncIterable<string>) {
      const text = rest + chunk;
      const out: R[] = [];
      let from = 0;
      for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', from)) {
        parse(text.slice(from, nl), out);
        from = nl + 1;
      }
      rest = text.slice(from);
      if (out.length > 0) yield out;
    }
    if (rest.length > 0) {
      const out: R[] = [];
      parse(rest, out);
      if (out.length > 0) yield out;
    }
  } catch (err) {
    // A part gone before it was opened was removed by a compaction: the caller lists again.
    if (err instanceof BadRecordError || (err as NodeJS.ErrnoException).code === 'ENOENT') throw err;
    throw new BadRecordError(file, n + 1, `unreadable: ${(err as Error).message}`);
  } finally {
    raw.destroy();
    gunzip?.destroy();
  }
}
