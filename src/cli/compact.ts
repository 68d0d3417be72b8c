/**
 * `topo compact [--dataset NAME] [--date YYYY-MM-DD | --all]`: consolidates small parts of
 * master dataset partitions (src/batch/master/compact.ts says how it stays safe). Without
 * `--dataset`, the master root's only dataset (a root holding several must be told which).
 * Exit codes: 0 done, 1 I/O failure or a partition locked by another compaction, 2 bad usage.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { partitionDir } from '../batch/master/layout.js';
import { compactDataset } from '../batch/master/compact.js';
import { intFlag, UsageError } from './options.js';
import { masterRoot } from './ingest.js';

export interface CompactFlags {
  master?: string;
  config?: string[];
  dataset?: string;
  date?: string[];
  all?: boolean;
  minFiles?: string;
  gzip?: boolean;
  json?: boolean;
}

/** The dataset folders under a master root (hidden and non-folder entries are not datasets). */
function datasetsUnder(root: string): string[] {
  try {
    return readdirSync(root, { withFileTypes: true }).filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

function datasetOf(root: string, flag: string | undefined): string {
  const there = datasetsUnder(root);
  if (flag !== undefined) {
    if (!there.includes(flag)) throw new UsageError(`no dataset '${flag}' under ${root}${there.length > 0 ? ` (there: ${there.join(', ')})` : ''}`);
    return flag;
  }
  if (there.length === 1) return there[0]!;
  throw new UsageError(there.length === 0 ? `no dataset under ${root}` : `say which dataset: --dataset NAME (${root} holds ${there.join(', ')})`);
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
  const dataset = datasetOf(root, flags.dataset);
  const missing = dates.filter((d) => !existsSync(partitionDir(root, dataset, d)));
  if (missing.length > 0) throw new UsageError(`no partition for ${missing.join(', ')} under ${join(root, dataset)}`);
  const results = compactDataset(root, flags.all ? null : dates, { dataset, minFiles, gzip: flags.gzip === true });
  for (const r of results) {
    if (flags.json) continue;
    const where = r.dir.split('/').pop();
    const done = r.finished + r.voided > 0 ? ` (completed ${r.finished}, voided ${r.voided} interrupted run(s))` : '';
    if (r.output === null) process.stdout.write(`${where}: nothing to compact${done}\n`);
    else process.stdout.write(`${where}: ${r.inputs.length} files -> ${r.output.split('/').pop()} (${r.lines} records)${done}\n`);
  }
  if (flags.json) process.stdout.write(JSON.stringify({ master: root, dataset, partitions: results }) + '\n');
  return 0;
}
