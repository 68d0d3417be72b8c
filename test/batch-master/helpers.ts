// Shared helpers of the master-dataset tests: records, temp roots, and a reader that follows
// layout.ts's reader rule (rolled parts minus the inputs of an applying compaction manifest).
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PageviewRecord as MasterRecord } from '../../topologies/pageviews/dataset.js';
import { TEMP_FILE } from '../../src/batch/master/layout.js';
import { listPartition, readPartLines } from '../../src/batch/master/list.js';
import { partitionDirs } from '../../src/batch/master/recover.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const fixture = (name: string): string => join(ROOT, 'test', 'fixtures', 'batch', name);

export function tempRoot(tag: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `topo-master-${tag}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function rec(id: string, ts: number): MasterRecord {
  return {
    id, url: `http://example.org/p/${id}`, host: 'example.org', path: `/p/${id}`, ip: '10.0.0.1', user: null, ts,
    method: 'GET', status: 200, bytes: 123, referrer: null, userAgent: 'test',
  };
}

export interface DatasetView {
  /** Records by partition date, as a reader sees them. */
  byDate: Map<string, MasterRecord[]>;
  all: MasterRecord[];
  parts: string[];
  temps: string[];
}

/** Reads a dataset as a reader must; throws on a visible part with a torn line or bad JSON. */
export function readDataset(root: string, dataset = 'pageviews'): DatasetView {
  const byDate = new Map<string, MasterRecord[]>();
  const all: MasterRecord[] = [];
  const parts: string[] = [];
  const temps: string[] = [];
  for (const dir of partitionDirs(root, dataset)) {
    const date = dir.split('date=')[1]!;
    for (const n of readdirSync(dir)) if (TEMP_FILE.test(n)) temps.push(join(dir, n));
    for (const n of listPartition(dir).parts) {
      parts.push(join(dir, n));
      for (const line of readPartLines(join(dir, n))) {
        const r = JSON.parse(line) as MasterRecord;
        all.push(r);
        byDate.set(date, [...(byDate.get(date) ?? []), r]);
      }
    }
  }
  return { byDate, all, parts, temps };
}

/** Ids that occur more than once. */
export function duplicates(records: readonly MasterRecord[]): string[] {
  const seen = new Set<string>();
  const dup: string[] = [];
  for (const r of records) (seen.has(r.id) ? dup : []).push(r.id), seen.add(r.id);
  return dup;
}

export interface FileState {
  sha: string;
  mtimeMs: number;
  mode: number;
  size: number;
}

export function fileStates(paths: readonly string[]): Map<string, FileState> {
  return new Map(paths.map((p) => {
    const st = statSync(p);
    return [p, { sha: createHash('sha256').update(readFileSync(p)).digest('hex'), mtimeMs: st.mtimeMs, mode: st.mode & 0o777, size: st.size }];
  }));
}
