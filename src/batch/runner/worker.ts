/**
 * The piscina worker of `topo batch`: a map task per part file and a reduce task per
 * partition of the visitor (group) space. Map and reduce both run user code (the topology
 * module's views and batchInput), so the worker imports the topology bundle the loader
 * built; that is safe outside a topo worker thread (its worker entry only starts when
 * `workerData.topoWorker` is true).
 *
 * Why a shuffle and not just combine-per-file: duplicates of one fact and one visitor's
 * visits can sit in different files (replays, midnight), so exact results need all of a
 * group's events in one place. The map writes each event to the spill file of its group's
 * partition; a reducer reads one partition, removes duplicates, combines, and merges its
 * partial cells straight into the batch version in Redis (write.ts): the main thread only
 * coordinates.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BadRecordError, readRecords } from '../reader.js';
import { updateOf, type ViewDef } from '../../views/view.js';
import { BatchAggregate } from './aggregate.js';
import { checkBatchInput, partitionOf, type BatchInput } from './input.js';
import { mergeCells, type VersionTarget } from './write.js';

export interface MapTask {
  readonly kind: 'map';
  readonly bundle: string;
  readonly file: string;
  readonly fileIndex: number;
  readonly spillDir: string;
  readonly partitions: number;
}

export interface MapResult {
  readonly file: string;
  /** The part was removed (by a compaction) before it was opened: list its partition again. */
  readonly gone: boolean;
  readonly records: number;
  /** Records the views skip (eventOf returned null). */
  readonly skipped: number;
  readonly maxTs: number;
  /** Spill files written, by partition. */
  readonly spills: ReadonlyArray<[partition: number, path: string]>;
  readonly badLines: number;
  /** The first bad lines, `file:line: reason` (all are counted). */
  readonly bad: readonly string[];
}

export interface ReduceTask {
  readonly kind: 'reduce';
  readonly bundle: string;
  readonly spills: readonly string[];
  /** Views to compute, each with its watermark: only buckets ending at or before it are written. */
  readonly views: Readonly<Record<string, number>>;
  /** The batch version the partial cells are merged into. */
  readonly target: VersionTarget;
}

export interface ReduceResult {
  readonly events: number;
  readonly duplicates: number;
  /** Cells each view's version did not hold yet (summed over reducers: the cells published). */
  readonly created: Readonly<Record<string, number>>;
}

interface Module {
  views: ViewDef<unknown>[];
  input: BatchInput<unknown>;
}

const modules = new Map<string, Promise<Module>>();

function load(bundle: string): Promise<Module> {
  let m = modules.get(bundle);
  if (m === undefined) {
    m = import(pathToFileURL(bundle).href).then((mod: { views?: ViewDef<unknown>[]; batchInput?: unknown }) => ({
      views: mod.views ?? [],
      input: checkBatchInput<unknown>(mod.batchInput, 'topology module'),
    }));
    modules.set(bundle, m);
  }
  return m;
}

async function map(t: MapTask): Promise<MapResult> {
  const { input } = await load(t.bundle);
  const out: string[][] = Array.from({ length: t.partitions }, () => []);
  let records = 0, skipped = 0, badLines = 0, maxTs = -Infinity;
  const bad: string[] = [];
  const onBad = (err: BadRecordError): void => {
    badLines++;
    if (bad.length < 20) bad.push(err.message);
  };
  try {
    for await (const { record } of readRecords(t.file, onBad)) {
      records++;
      if (record.ts > maxTs) maxTs = record.ts;
      const e = input.eventOf(record);
      if (e === null) {
        skipped++;
        continue;
      }
      out[partitionOf(input.groupOf(e), t.partitions)]!.push(JSON.stringify(e));
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { file: t.file, gone: true, records: 0, skipped: 0, maxTs, spills: [], badLines: 0, bad: [] };
    throw err;
  }
  const spills: Array<[number, string]> = [];
  out.forEach((lines, r) => {
    if (lines.length === 0) return;
    const path = join(t.spillDir, `m${t.fileIndex}-r${r}.jsonl`);
    writeFileSync(path, `${lines.join('\n')}\n`);
    spills.push([r, path]);
  });
  return { file: t.file, gone: false, records, skipped, maxTs, spills, badLines, bad };
}

async function reduce(t: ReduceTask): Promise<ReduceResult> {
  const { input, views } = await load(t.bundle);
  const seen = new Set<string>();
  const events: unknown[] = [];
  let duplicates = 0;
  for (const path of t.spills) {
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      if (line === '') continue;
      const e: unknown = JSON.parse(line);
      if (input.identityOf) {
        const id = input.identityOf(e);
        if (seen.has(id)) {
          duplicates++;
          continue;
        }
        seen.add(id);
      }
      events.push(e);
    }
  }
  const created: Record<string, number> = {};
  for (const [name, watermark] of Object.entries(t.views)) {
    const view = views.find((v) => v.name === name);
    if (!view) throw new Error(`view '${name}' is not in the topology module's views`);
    const agg = new BatchAggregate(view.aggregation);
    const reducer = input.reducers?.[name];
    if (reducer) for (const u of reducer.reduce(events, view)) agg.add(u);
    else {
      if (view.aggregation.kind === 'counters') throw new Error(`view '${name}' (counters) needs batchInput.reducers.${name}`);
      for (const e of events) {
        const u = updateOf(view, e);
        if (u !== null) agg.add(u);
      }
    }
    created[name] = await mergeCells(t.target, view, agg.cellsOf((b) => b + view.bucketMs <= watermark));
  }
  return { events: events.length, duplicates, created };
}

export default function task(t: MapTask | ReduceTask): Promise<MapResult | ReduceResult> {
  return t.kind === 'map' ? map(t) : reduce(t);
}
