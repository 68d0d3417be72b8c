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
 *
 * Two shuffles, one per kind of view. Reducer views (bounces) need whole groups: their
 * side is partitioned by `groupOf`. Plain views (count, sum, distinct) need only that the
 * duplicates of a fact meet, and they do in any partitioning by the view key (one fact, one
 * key): their side is partitioned by the first plain view's key (the key view), so each of
 * its cells is computed by one reducer and written to Redis once, without a merge (write.ts),
 * not once per reducer holding a part of it. Another plain view is single-writer too when its
 * key equals the key view's on every event (pageviews and uniques both key by URL): the map
 * checks that on each event, as functions cannot be compared. A view that differs on any event
 * (or a reducer view) has its cells written as merges (merge.ts), correct from any number of
 * reducers. Spills are msgpackr arrays of events, one per (map task, partition), appended
 * to one file per (thread, partition) and passed on as byte ranges: thousands of small spill
 * files cost more to create, open and remove than to write (open and unlink showed in the
 * profile, ~10% of the run).
 */
import { appendFileSync, closeSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { threadId } from 'node:worker_threads';
import { Packr } from 'msgpackr';
import { BadRecordError, readRecordChunks } from '../reader.js';
import type { ViewDef } from '../../views/view.js';
import { BatchAggregate } from './aggregate.js';
import { checkBatchInput, partitionOf, type BatchInput } from './input.js';
import { mergeCells } from './merge.js';
import type { VersionTarget } from './target.js';
import { writeCells } from './write.js';

export interface MapTask {
  readonly kind: 'map';
  readonly bundle: string;
  readonly file: string;
  readonly fileIndex: number;
  readonly spillDir: string;
  readonly partitions: number;
  /** The plain view whose key partitions the plain views' side, or null when no plain view runs. */
  readonly keyView: string | null;
  /** The other plain views, checked against the key view's key (see `unaligned`). */
  readonly plainViews: readonly string[];
  /** Whether a reducer view runs: then events are also spilled by group. */
  readonly groups: boolean;
}

export interface MapResult {
  readonly file: string;
  /** The part was removed (by a compaction) before it was opened: list its partition again. */
  readonly gone: boolean;
  readonly records: number;
  /** Records the views skip (eventOf returned null). */
  readonly skipped: number;
  readonly maxTs: number;
  /** Plain views whose key differed from the key view's on some event: their cells may span partitions. */
  readonly unaligned: readonly string[];
  /**
   * Spill files written, by partition: `p` for the plain views' side (by key), `partitions + p`
   * for the reducer views' side (by group).
   */
  readonly spills: ReadonlyArray<[partition: number, range: SpillRange]>;
  readonly badLines: number;
  /** The first bad lines, `file:line: reason` (all are counted). */
  readonly bad: readonly string[];
}

/** One map task's events of one partition: a msgpackr array at `offset` in `path`. */
export type SpillRange = readonly [path: string, offset: number, length: number];

export interface ReduceTask {
  readonly kind: 'reduce';
  readonly bundle: string;
  readonly spills: readonly SpillRange[];
  /**
   * Views to compute, each with its watermark: only buckets ending at or before it are written.
   * A partition of the key side gets the plain views, one of the group side the reducer views.
   */
  readonly views: Readonly<Record<string, number>>;
  /** Of those, the views whose every cell is in one partition: written without a merge. */
  readonly single: readonly string[];
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

// Records on (msgpackr's default): an event's field names are written once per spill, and
// unpacking builds objects of one shape (fast properties), unlike a JSON.parse per line.
const packr = new Packr();
/** Bytes appended so far to each spill file of this thread. */
const spillSizes = new Map<string, number>();

async function map(t: MapTask): Promise<MapResult> {
  const { input, views } = await load(t.bundle);
  const keyView = t.keyView === null ? null : views.find((v) => v.name === t.keyView);
  if (keyView === undefined) throw new Error(`view '${t.keyView}' is not in the topology module's views`);
  const others = t.plainViews.map((n) => views.find((v) => v.name === n) ?? fail(`view '${n}' is not in the topology module's views`));
  // Views still aligned with the key view; one is dropped at its first differing event.
  let aligned = others;
  const out: unknown[][] = Array.from({ length: t.partitions * 2 }, () => []);
  let records = 0, skipped = 0, badLines = 0, maxTs = -Infinity;
  const bad: string[] = [];
  const onBad = (err: BadRecordError): void => {
    badLines++;
    if (bad.length < 20) bad.push(err.message);
  };
  try {
    for await (const chunk of readRecordChunks(t.file, onBad)) {
      for (const record of chunk) {
        records++;
        if (record.ts > maxTs) maxTs = record.ts;
        const e = input.eventOf(record);
        if (e === null) {
          skipped++;
          continue;
        }
        if (keyView !== null) {
          // An event the view skips (no key) still goes to partition 0: other plain views may read it.
          const key = keyView.keyOf(e);
          out[key === null ? 0 : partitionOf(key, t.partitions)]!.push(e);
          for (const v of aligned) {
            const k = v.keyOf(e);
            if (k !== null && k !== key) aligned = aligned.filter((w) => w !== v);
          }
        }
        if (t.groups) out[t.partitions + partitionOf(input.groupOf(e), t.partitions)]!.push(e);
      }
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { file: t.file, gone: true, records: 0, skipped: 0, maxTs, unaligned: [], spills: [], badLines: 0, bad: [] };
    throw err;
  }
  const spills: Array<[number, SpillRange]> = [];
  out.forEach((events, p) => {
    if (events.length === 0) return;
    // This thread is the only writer of its files, and this block runs without an await, so
    // two map tasks of the thread never interleave their appends: the offset is exact.
    const path = join(t.spillDir, `t${threadId}-p${p}.msgpack`);
    const bytes = packr.pack(events);
    const offset = spillSizes.get(path) ?? 0;
    appendFileSync(path, bytes);
    spillSizes.set(path, offset + bytes.length);
    spills.push([p, [path, offset, bytes.length]]);
  });
  const unaligned = others.filter((v) => !aligned.includes(v)).map((v) => v.name);
  return { file: t.file, gone: false, records, skipped, maxTs, unaligned, spills, badLines, bad };
}

/** The event arrays of `ranges`, each spill file opened once. */
function* readSpills(ranges: readonly SpillRange[]): Generator<unknown[]> {
  const byPath = new Map<string, SpillRange[]>();
  for (const r of ranges) byPath.set(r[0], [...(byPath.get(r[0]) ?? []), r]);
  for (const [path, list] of byPath) {
    const fd = openSync(path, 'r');
    try {
      for (const [, offset, length] of list) {
        const buf = Buffer.allocUnsafe(length);
        if (readSync(fd, buf, 0, length, offset) !== length) throw new Error(`spill ${path} is shorter than ${offset + length} bytes`);
        yield packr.unpack(buf) as unknown[];
      }
    } finally {
      closeSync(fd);
    }
  }
}

async function reduce(t: ReduceTask): Promise<ReduceResult> {
  const { input, views } = await load(t.bundle);
  const seen = new Set<string>();
  const events: unknown[] = [];
  let duplicates = 0;
  const identityOf = input.identityOf;
  for (const spilled of readSpills(t.spills)) {
    if (identityOf === undefined) {
      for (const e of spilled) events.push(e);
      continue;
    }
    for (const e of spilled) {
      const id = identityOf(e);
      if (seen.has(id)) {
        duplicates++;
        continue;
      }
      seen.add(id);
      events.push(e);
    }
  }
  const writes: Array<Promise<[string, number]>> = [];
  for (const [name, watermark] of Object.entries(t.views)) {
    const view = views.find((v) => v.name === name);
    if (!view) throw new Error(`view '${name}' is not in the topology module's views`);
    const agg = new BatchAggregate(view.aggregation);
    const reducer = input.reducers?.[name];
    if (reducer) for (const u of reducer.reduce(events, view)) agg.add(u);
    else {
      if (view.aggregation.kind === 'counters') throw new Error(`view '${name}' (counters) needs batchInput.reducers.${name}`);
      for (const e of events) agg.addEvent(view, e);
    }
    // Not awaited here: the next view is aggregated while this one's commands run in Redis.
    const keep = (b: number): boolean => b + view.bucketMs <= watermark;
    const written = t.single.includes(name) ? writeCells(t.target, view, agg, keep) : mergeCells(t.target, view, agg.cellsOf(keep));
    const write = written.then((n): [string, number] => [name, n]);
    // Observed now: if a later view throws first, this one's failure must not go unhandled.
    write.catch(() => {});
    writes.push(write);
  }
  return { events: events.length, duplicates, created: Object.fromEntries(await Promise.all(writes)) };
}

function fail(message: string): never {
  throw new Error(message);
}

export default function task(t: MapTask | ReduceTask): Promise<MapResult | ReduceResult> {
  return t.kind === 'map' ? map(t) : reduce(t);
}
