/**
 * `topo compact [--date YYYY-MM-DD | --all]`: consolidates small parts of master dataset
 * partitions (src/batch/master/compact.ts says how it stays safe). Exit codes: 0 done,
 * 1 I/O failure or a partition locked by another compaction, 2 bad usage.
 */
import { existsSync } from 'node:fs';
import { PAGEVIEWS_DATASET, partitionDir } from '../batch/master/layout.js';
import { compactDataset } from '../batch/master/compact.js';
import { intFlag, UsageError } from './options.js';
import { masterRoot } from './ingest.js';

export interface CompactFlags {
  master?: string;
  config?: string[];
  date?: string[];
  all?: boolean;
  minFiles?: string;
  gzip?: boolean;
  json?: boolean;
}

export async function compactCommand(flags: CompactFlags): Promise<number> {
  const dates = flags.date ?? [];
  if (dates.length === 0 && !flags.all) throw new UsageError('say which partitions: --date YYYY-MM-DD (repeatable) or --all');
  if (dates.length > 0 && flags.all) throw new UsageError('--date and --all exclude each other');
  for (const d of dates) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(d) || Number.isNaN(Date.parse(`${d}T00:00:00Z`))) throw new UsageError(`--date must be YYYY-MM-DD, got '${d}'`);
  }
  const root = masterRoot(flags);
  if (!existsSync(root)) throw new UsageError(`no master dataset at ${root}: give its root with --master DIR (or -c master=DIR)`);
  const minFiles = intFlag('min-files', flags.minFiles, 2) ?? 2;
  const missing = dates.filter((d) => !existsSync(partitionDir(root, PAGEVIEWS_DATASET, d)));
  if (missing.length > 0) throw new UsageError(`no partition for ${missing.join(', ')} under ${root}`);
  const results = compactDataset(root, flags.all ? null : dates, { minFiles, gzip: flags.gzip === true });
  for (const r of results) {
    if (flags.json) continue;
    const where = r.dir.split('/').pop();
    const done = r.finished + r.voided > 0 ? ` (completed ${r.finished}, voided ${r.voided} interrupted run(s))` : '';
    if (r.output === null) process.stdout.write(`${where}: nothing to compact${done}\n`);
    else process.stdout.write(`${where}: ${r.inputs.length} files -> ${r.output.split('/').pop()} (${r.lines} records)${done}\n`);
  }
  if (flags.json) process.stdout.write(JSON.stringify({ master: root, partitions: results }) + '\n');
  return 0;
}
