/**
 * Recompute views from the master dataset: list the parts, map each on the pool (spilling
 * events by key and group partition), then, once the latest event time (the watermark) is
 * known, reduce each partition on the pool, then combine the partial cells of views several
 * reducers share. Reducers and combiners encode each cell once as Redis commands, and this
 * thread sends them into the batch version as they arrive (it never holds a cell).
 */
import { listPartFiles, listPartition, type ListOptions, type PartFile } from '../reader.js';
import type { ViewDef } from '../../views/view.js';
import { aggregatorOf } from '../../views/kinds/index.js';
import type { BatchInput } from './input.js';
import type { BatchPool } from './pool.js';
import type { MapResult, SpillRange } from './worker.js';
import type { VersionTarget } from './target.js';
import { buildSideInputs, type SideInputReport } from './side-build.js';
import { RespWriter } from './resp-writer.js';
import { openSpillDir } from './spill-dir.js';

export interface ComputeOptions extends ListOptions {
  readonly root: string;
  readonly bundle: string;
  readonly input: BatchInput<never>;
  readonly views: readonly ViewDef<never>[];
  readonly pool: BatchPool;
  readonly strict?: boolean;
  /**
   * Called once the map phase knows the latest event time (never for an empty dataset): opens
   * the batch version the reducers write into, and says each view's watermark.
   */
  readonly open: (maxTs: number) => Promise<{ target: VersionTarget; watermarks: Readonly<Record<string, number>> }>;
  /** Called after each map task (progress). */
  readonly onFile?: (done: number, total: number, records: number) => void;
}

export interface Computed {
  readonly files: number;
  readonly records: number;
  /** Distinct events the views read (after skipping and duplicate removal). */
  readonly events: number;
  readonly skipped: number;
  readonly duplicates: number;
  readonly badLines: number;
  readonly bad: readonly string[];
  /** Latest event time read, or null for an empty dataset. */
  readonly maxTs: number | null;
  /** Cells written per view (empty for an empty dataset). */
  readonly cells: ReadonlyMap<string, number>;
  /** What each side input read (side-build.ts); its bad lines are in `badLines` too. */
  readonly sideInputs: readonly SideInputReport[];
}

/** `--strict` and the dataset has bad lines: nothing is published. */
export class StrictError extends Error {
  override readonly name = 'StrictError';
}

/**
 * Every task's result, or the first failure once every task has settled. Not Promise.all: on
 * a failure the caller removes the spill folder and destroys the pool, and a task still
 * running then would read a removed spill, and its answer to a destroyed pool is thrown by
 * piscina as an uncaught exception.
 */
async function settleAll<T>(tasks: ReadonlyArray<Promise<T>>): Promise<T[]> {
  const settled = await Promise.allSettled(tasks);
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((r) => (r as PromiseFulfilledResult<T>).value);
}

export async function computeViews(o: ComputeOptions): Promise<Computed> {
  // Stale folders of killed runs are swept first (spill-dir.ts).
  const spill = openSpillDir();
  const spillDir = spill.path;
  try {
    // Several group partitions per thread keep reducers busy when group sizes are uneven. The
    // key side has fewer: every key partition writes its own part of each bucket's top ZSET,
    // so its ZADDs grow with their number (one per bucket and partition), and keys hash evenly.
    const keyPartitions = o.pool.threads * 2;
    const groupPartitions = o.pool.threads * 4;
    // Plain views are reduced by key, reducer views by group (see worker.ts): two shuffles.
    const reducerViews = o.views.filter((v) => o.input.reducers?.[v.name] !== undefined);
    const plainViews = o.views.filter((v) => o.input.reducers?.[v.name] === undefined);
    // The key view's key partitions the plain side: a view fed by events has one.
    const keyView = plainViews.find((v) => aggregatorOf(v.aggregation).fromEvents) ?? plainViews[0];
    // Side inputs first: every map task's eventOf reads them.
    const sides = await buildSideInputs({ root: o.root, bundle: o.bundle, dir: spillDir });
    let files = await listPartFiles(o.root, o.input.dataset, o);
    const results = new Map<string, MapResult>();
    let index = 0, done = 0, records = 0;
    const mapAll = (list: readonly PartFile[]): Promise<MapResult[]> =>
      settleAll(list.map(async (f) => {
        const r = await o.pool.map({ bundle: o.bundle, file: f.path, fileIndex: index++, spillDir, keyPartitions, groupPartitions, keyView: keyView?.name ?? null,
          plainViews: plainViews.filter((v) => v !== keyView).map((v) => v.name), groups: reducerViews.length > 0, side: sides.path });
        records += r.records;
        o.onFile?.(++done, files.length, records);
        return r;
      }));
    for (const r of await mapAll(files)) results.set(r.file, r);
    // A part removed under us was consumed by a compaction that finished meanwhile: the
    // partition is read again from its new listing (its earlier spills are dropped).
    for (let round = 0; [...results.values()].some((r) => r.gone); round++) {
      if (round >= 5) throw new Error('master dataset keeps changing under the batch run (compaction?); try again');
      const dates = new Set(files.filter((f) => results.get(f.path)?.gone).map((f) => f.date));
      for (const f of files) if (dates.has(f.date)) results.delete(f.path);
      files = files.filter((f) => !dates.has(f.date));
      const again: PartFile[] = [];
      for (const d of dates) again.push(...(await listPartition(o.root, o.input.dataset, d)));
      files = [...files, ...again];
      for (const r of await mapAll(again)) results.set(r.file, r);
    }
    const byPartition: SpillRange[][] = Array.from({ length: keyPartitions + groupPartitions }, () => []);
    let maxTs = -Infinity, skipped = 0, badLines = sides.badLines;
    const bad: string[] = [...sides.bad];
    const unaligned = new Set<string>();
    for (const r of results.values()) {
      for (const name of r.unaligned) unaligned.add(name);
      for (const [kp, gp, range] of r.spills) {
        if (kp >= 0) byPartition[kp]!.push(range);
        if (gp >= 0) byPartition[keyPartitions + gp]!.push(range);
      }
      maxTs = Math.max(maxTs, r.maxTs);
      skipped += r.skipped;
      badLines += r.badLines;
      bad.push(...r.bad);
    }
    if (o.strict && badLines > 0) throw new StrictError(`${badLines} bad line(s) in the master dataset (--strict), first: ${bad[0]}`);
    const cells = new Map<string, number>();
    let events = 0, duplicates = 0;
    if (maxTs !== -Infinity) {
      const { target, watermarks } = await o.open(maxTs);
      for (const v of o.views) cells.set(v.name, 0);
      const pick = (list: readonly ViewDef<never>[]): Record<string, number> => Object.fromEntries(list.map((v) => [v.name, watermarks[v.name]!]));
      const sides = [pick(plainViews), pick(reducerViews)];
      // Single writer per cell: the key view, and plain views whose key always equalled its key.
      const single = plainViews.filter((v) => !unaligned.has(v.name)).map((v) => v.name);
      // Both sides read every event once and remove the same duplicates: count one side.
      const counted = keyView !== undefined ? 0 : 1;
      // Every other view's cells may come in parts from several reducers: the parts are spilled
      // by key partition, and a combine task per partition sums each cell and writes it once.
      const parted = o.views.filter((v) => !single.includes(v.name)).map((v) => v.name);
      const partials = parted.length > 0 ? { views: parted, spillDir, partitions: keyPartitions } : null;
      const byKey: SpillRange[][] = Array.from({ length: keyPartitions }, () => []);
      const count = (created: Readonly<Record<string, number>>): void => {
        for (const [name, n] of Object.entries(created)) cells.set(name, (cells.get(name) ?? 0) + n);
      };
      // Tasks encode their cells' writes; this thread, whose event loop is otherwise idle,
      // sends them as they come, so Redis ingests one partition while the pool computes the next.
      const writer = RespWriter.open(target.redis);
      try {
        await settleAll(byPartition.map(async (spills, p) => {
          const side = p < keyPartitions ? 0 : 1;
          if (spills.length === 0 || Object.keys(sides[side]!).length === 0) return;
          const r = await o.pool.reduce({ bundle: o.bundle, spills, views: sides[side]!, single, partials, target });
          writer.sendEncoded(r.writes);
          if (side === counted) {
            events += r.events;
            duplicates += r.duplicates;
          }
          count(r.created);
          for (const [kp, range] of r.partials) byKey[kp]!.push(range);
        }));
        await settleAll(byKey.map(async (spills) => {
          if (spills.length === 0) return;
          const r = await o.pool.combine({ bundle: o.bundle, spills, target });
          writer.sendEncoded(r.writes);
          count(r.created);
        }));
        // Every reply in, none an error: only then may the version be published.
        await writer.end();
      } catch (err) {
        writer.destroy();
        throw err;
      }
    }
    return {
      files: results.size, records: [...results.values()].reduce((a, r) => a + r.records, 0), events, skipped, duplicates,
      badLines, bad: bad.slice(0, 20), maxTs: maxTs === -Infinity ? null : maxTs, cells, sideInputs: sides.reports,
    };
  } finally {
    spill.close();
  }
}
