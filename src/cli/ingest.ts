/**
 * `topo ingest <file|-> [--topology FILE] --format NAME`: appends an input to the master
 * dataset, parsed by a format the topology module exports (input-format.ts). Flags only;
 * the work is src/batch/master/ingest.ts. Exit codes: 0 done (rejected lines do
 * not fail an ingest: they are reported and kept in the rejects file), 1 I/O failure,
 * 2 bad usage.
 */
import { DEFAULT_MASTER_ROOT } from '../batch/master/layout.js';
import { ingest, type IngestStats } from '../batch/master/ingest.js';
import { chooseInput } from './input-format.js';
import { configPairs, durationFlag, intFlag, UsageError } from './options.js';
import { fmt } from './progress.js';

export interface IngestFlags {
  format?: string;
  topology?: string;
  master?: string;
  config?: string[];
  host?: string;
  rejects?: string;
  gzip?: boolean;
  maxBytes?: string;
  maxAge?: string;
  json?: boolean;
  quiet?: boolean;
}

/** Rejected lines shown on stderr before the rest go to the rejects file only. */
const SHOWN_REJECTS = 100;

/** `--master`, else `-c master=DIR`, else ./data/master (shared with `topo compact`). */
export function masterRoot(flags: { master?: string; config?: string[] }): string {
  const c = configPairs(flags.config)['master'];
  if (flags.master !== undefined) return flags.master;
  if (c !== undefined && typeof c !== 'string') throw new UsageError(`-c master must be a directory, got ${JSON.stringify(c)}`);
  return c ?? DEFAULT_MASTER_ROOT;
}

export async function ingestCommand(input: string, flags: IngestFlags): Promise<number> {
  const root = masterRoot(flags);
  const maxBytes = intFlag('max-bytes', flags.maxBytes, 1);
  const maxAgeMs = durationFlag('max-age', flags.maxAge);
  const rejectsPath = flags.rejects ?? '.topo/rejects/ingest.jsonl';
  const say = (s: string): void => {
    if (!flags.quiet) process.stderr.write(`${s}\n`);
  };
  const { format, dataset } = await chooseInput(flags);
  let shown = 0;
  let last = { lines: 0, at: Date.now() };
  let stats: IngestStats;
  try {
    stats = await ingest({
    input,
    format,
    dataset,
    parserOptions: { ...configPairs(flags.config), ...(flags.host !== undefined ? { host: flags.host } : {}) },
    rejectsPath,
    writer: { root, gzip: flags.gzip === true, ...(maxBytes !== undefined ? { maxBytes } : {}), ...(maxAgeMs !== undefined ? { maxAgeMs } : {}) },
    onReject: (r) => {
      // Every rejected line is in the rejects file; stderr shows the first ones.
      if (shown < SHOWN_REJECTS) process.stderr.write(`topo ingest: line ${r.lineNumber}: ${r.reason}\n`);
      else if (shown === SHOWN_REJECTS) process.stderr.write(`topo ingest: more rejected lines: see ${rejectsPath}\n`);
      shown++;
    },
    onProgress: (s) => {
      const now = Date.now();
      const rate = ((s.lines - last.lines) * 1000) / Math.max(1, now - last.at);
      last = { lines: s.lines, at: now };
      say(`[ingest] ${(s.elapsedMs / 1000).toFixed(0)}s ${fmt(s.lines)} lines (${fmt(rate)}/s) records ${fmt(s.records)} rejected ${s.rejected}`);
    },
    });
  } catch (err) {
    // A missing input, a full disk, a read-only master: I/O, exit 1, without a stack trace.
    if (typeof (err as NodeJS.ErrnoException).code !== 'string') throw err;
    process.stderr.write(`topo ingest: ${(err as Error).message}
`);
    return 1;
  }
  const partitions = new Set(stats.parts.map((p) => p.split('/').slice(-2, -1)[0]));
  const perSec = Math.round((stats.records * 1000) / Math.max(1, stats.elapsedMs));
  if (stats.recovered > 0) say(`[ingest] recovered ${stats.recovered} temp file(s) left by a crashed writer`);
  if (flags.json) {
    process.stdout.write(JSON.stringify({ input, master: root, dataset: dataset.name, ...stats, partitions: partitions.size, recordsPerSec: perSec, rejectsFile: stats.rejected > 0 ? rejectsPath : null }) + '\n');
  } else {
    process.stdout.write(
      `ingested ${stats.records} records from ${input === '-' ? 'stdin' : input} into ${root} (${dataset.name}): ${stats.lines} lines, ` +
        `${stats.rejected} rejected${stats.rejected > 0 ? ` (see ${rejectsPath})` : ''}, ${stats.skipped} blank, ` +
        `${stats.parts.length} file(s) in ${partitions.size} partition(s), ${(stats.elapsedMs / 1000).toFixed(1)}s (${perSec} records/s)\n`,
    );
  }
  return 0;
}
