/**
 * The piscina worker of `topo batch`: a map task per part file and a reduce task per
 * partition of the key space (plain views) and of the visitor (group) space (reducer views). Map and reduce both run user code (the topology
 * module's views and batchInput), so the worker imports the topology bundle the loader
 * built; that is safe outside a topo worker thread (its worker entry only starts when
 * `workerData.topoWorker` is true).
 *
 * Why a shuffle and not just combine-per-file: duplicates of one fact and one visitor's
 * visits can sit in different files (replays, midnight), so exact results need all of a
 * group's events in one place. The map writes each event to the spill of its partitions; a
 * reducer reads one partition, removes duplicates, combines, and encodes its cells as the
 * batch version's Redis commands (reduce.ts), which the main thread sends while the pool
 * computes the next partitions.
 *
 * Two shuffles, one per kind of view. Reducer views (bounces) need whole groups: their
 * side is partitioned by `groupOf`. Plain views (count, sum, distinct) need only that the
 * duplicates of a fact meet, and they do in any partitioning by the view key (one fact, one
 * key): their side is partitioned by the first plain view's key (the key view), so each of
 * its cells is computed by one reducer and written to Redis once, without a merge (write.ts),
 * not once per reducer holding a part of it. Another plain view is single-writer too when its
 * key equals the key view's on every event (pageviews and uniques both key by URL): the map
 * checks that on each event, as functions cannot be compared. A view that differs on any event
 * (or a reducer view) has its cells spilled in parts by key partition, and a combine task per
 * partition sums and writes them (combine.ts), correct from any number of reducers.
 *
 * An event is spilled once, not once per side: by the pair (key partition, group partition),
 * and a reducer of either side reads every spill of its partition. Encoding events is a
 * large cost of the map (spill-codec.ts), and it is paid once.
 */
import type { BadRecordError } from '../reader.js';
import { readPartRecords } from '../part-records.js';
import { factProblem } from '../dataset.js';
import { partitioner } from './input.js';
import { load, viewNamed } from './module.js';
import { combine } from './combine.js';
import { reduce } from './reduce.js';
import { writeSpills, type SpillRange } from './spill.js';
import { sideValuesAt } from './side-values.js';
import type { VersionTarget } from './target.js';
import type { EncodedCommands } from './resp-encoder.js';

export interface MapTask {
  readonly kind: 'map';
  readonly bundle: string;
  readonly file: string;
  readonly fileIndex: number;
  readonly spillDir: string;
  /** Partitions of the plain views' side (by key) and of the reducer views' side (by group). */
  readonly keyPartitions: number;
  readonly groupPartitions: number;
  /** The plain view whose key partitions the plain views' side, or null when no plain view runs. */
  readonly keyView: string | null;
  /** The other plain views, checked against the key view's key (see `unaligned`). */
  readonly plainViews: readonly string[];
  /** Whether a reducer view runs: then events are also spilled by group. */
  readonly groups: boolean;
  /** The side inputs' values file (side-build.ts), or null when the batch input has none. */
  readonly side?: string | null;
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
   * Spills written: each holds the events of one key partition (plain views' side) and one
   * group partition (reducer views' side), -1 for a side that does not run.
   */
  readonly spills: ReadonlyArray<[keyPartition: number, groupPartition: number, range: SpillRange]>;
  readonly badLines: number;
  /** The first bad lines, `file:line: reason` (all are counted). */
  readonly bad: readonly string[];
}

export type { SpillRange };

export interface ReduceTask {
  readonly kind: 'reduce';
  readonly bundle: string;
  readonly spills: readonly SpillRange[];
  /**
   * Views to compute, each with its watermark: only buckets ending at or before it are written.
   * A partition of the key side gets the plain views, one of the group side the reducer views.
   */
  readonly views: Readonly<Record<string, number>>;
  /** Views whose every cell is in one partition: written by the reducer. */
  readonly single: readonly string[];
  /**
   * The other views: their partial cells are spilled by key partition for a combine task
   * (combine.ts); null when there are none.
   */
  readonly partials: { readonly views: readonly string[]; readonly spillDir: string; readonly partitions: number } | null;
  /** The batch version the cells are written into. */
  readonly target: VersionTarget;
}

export interface ReduceResult {
  readonly events: number;
  readonly duplicates: number;
  /** Cells each view's version did not hold yet (summed over reducers: the cells published). */
  readonly created: Readonly<Record<string, number>>;
  /** Spills of partial cells (see `partials`), by key partition. */
  readonly partials: ReadonlyArray<[partition: number, range: SpillRange]>;
  /** The single-writer views' cells as Redis commands, for the main thread to send. */
  readonly writes: EncodedCommands;
}

/** The partial cells of one key partition, from every reducer: summed and written once. */
export interface CombineTask {
  readonly kind: 'combine';
  readonly bundle: string;
  readonly spills: readonly SpillRange[];
  readonly target: VersionTarget;
}

export interface CombineResult {
  /** Cells encoded per view. */
  readonly created: Readonly<Record<string, number>>;
  readonly writes: EncodedCommands;
}

async function map(t: MapTask): Promise<MapResult> {
  const { input, views, dataset } = await load(t.bundle);
  const check = (v: unknown): string | null => factProblem(dataset, v);
  const side = sideValuesAt(t.side);
  const keyView = t.keyView === null ? null : viewNamed(views, t.keyView);
  const others = t.plainViews.map((n) => viewNamed(views, n));
  // Views still aligned with the key view; one is dropped at its first differing event.
  let aligned = others;
  const keyPartitionOf = partitioner(t.keyPartitions);
  const groupPartitionOf = partitioner(t.groupPartitions);
  // Spill cells: (key partition, group partition), one side of size 1 when it does not run.
  const G = t.groups ? t.groupPartitions : 1;
  const out: unknown[][] = Array.from({ length: (keyView !== null ? t.keyPartitions : 1) * G }, () => []);
  let records = 0, skipped = 0, badLines = 0, maxTs = -Infinity;
  const bad: string[] = [];
  const onBad = (err: BadRecordError): void => {
    badLines++;
    if (bad.length < 20) bad.push(err.message);
  };
  try {
    for await (const chunk of readPartRecords<unknown>(t.file, onBad, check)) {
      for (const record of chunk) {
        records++;
        const ts = dataset.eventTime(record);
        if (ts > maxTs) maxTs = ts;
        const e = input.eventOf(record, side);
        if (e === null) {
          skipped++;
          continue;
        }
        let p = 0;
        if (keyView !== null) {
          // An event the view skips (no key) still goes to partition 0: other plain views may read it.
          const key = keyView.keyOf(e);
          if (key !== null) p = keyPartitionOf(key);
          for (const v of aligned) {
            const k = v.keyOf(e);
            if (k !== null && k !== key) aligned = aligned.filter((w) => w !== v);
          }
        }
        out[p * G + (t.groups ? groupPartitionOf(input.groupOf(e)) : 0)]!.push(e);
      }
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { file: t.file, gone: true, records: 0, skipped: 0, maxTs, unaligned: [], spills: [], badLines: 0, bad: [] };
    throw err;
  }
  const spills = writeSpills(t.spillDir, out).map(([i, range]): [number, number, SpillRange] =>
    [keyView !== null ? Math.floor(i / G) : -1, t.groups ? i % G : -1, range]);
  const unaligned = others.filter((v) => !aligned.includes(v)).map((v) => v.name);
  return { file: t.file, gone: false, records, skipped, maxTs, unaligned, spills, badLines, bad };
}

export default function task(t: MapTask | ReduceTask | CombineTask): Promise<MapResult | ReduceResult | CombineResult> {
  return t.kind === 'map' ? map(t) : t.kind === 'reduce' ? reduce(t) : combine(t);
}
