/**
 * A reduce task of `topo batch`: one partition's spills, duplicates removed, aggregated per
 * view, and encoded as the batch version's writes (write.ts; the main thread sends them)
 * when the view has one writer per cell, or
 * else spilled as partial cells by key partition for the combine tasks (combine.ts), which sum
 * each cell's parts and write it once.
 *
 * Plain views aggregate each event as it is unpacked, so an event dies young: holding a
 * partition's events until every view had read them promoted them all to the old generation,
 * and garbage collection was a quarter of a pool thread's time. Only a reducer view (bounces)
 * needs the partition's events together, and only then are they kept.
 */
import { BatchAggregate, type PartialCell } from './aggregate.js';
import { IdentitySet } from './identity.js';
import { partitionOf } from './input.js';
import { load, viewNamed } from './module.js';
import { readSpills, writeSpills } from './spill.js';
import type { ReduceResult, ReduceTask } from './worker.js';
import { RespEncoder } from './resp-encoder.js';
import { encodeCells } from './write.js';

export async function reduce(t: ReduceTask): Promise<ReduceResult> {
  const { input, views } = await load(t.bundle);
  const all = Object.entries(t.views).map(([name, watermark]) => {
    const view = viewNamed(views, name);
    const reducer = input.reducers?.[name];
    const agg = new BatchAggregate(view.aggregation);
    if (!reducer && !agg.agg.fromEvents) throw new Error(`view '${name}' (${view.aggregation.kind}) needs batchInput.reducers.${name}`);
    const acc = reducer?.accumulate?.(view) ?? null;
    return { name, view, watermark, reducer, acc, agg };
  });
  const plain = all.filter((v) => v.reducer === undefined);
  // Reducers fed as events are read; events are kept only for one without `accumulate`.
  const accs = all.flatMap((v) => (v.acc !== null ? [v.acc] : []));
  const keep = all.some((v) => v.reducer !== undefined && v.acc === null);
  const seen = new Set<string>();
  // An event spills to ~100 bytes (pageviews' in spill-codec.ts): an upper estimate of the events sizes
  // the identity table once.
  const spilledBytes = t.spills.reduce((n, r) => n + r[2], 0);
  const identity = input.identityFields !== undefined ? new IdentitySet(input.identityFields, Math.ceil(spilledBytes / 64)) : null;
  const events: unknown[] = [];
  let count = 0, duplicates = 0;
  const identityOf = input.identityOf;
  for (const spilled of readSpills(t.spills)) {
    for (const e of spilled) {
      if (identity !== null) {
        if (!identity.add(e)) {
          duplicates++;
          continue;
        }
      } else if (identityOf !== undefined) {
        const id = identityOf(e);
        if (seen.has(id)) {
          duplicates++;
          continue;
        }
        seen.add(id);
      }
      count++;
      for (let i = 0; i < plain.length; i++) plain[i]!.agg.addEvent(plain[i]!.view, e);
      for (let i = 0; i < accs.length; i++) accs[i]!.add(e);
      if (keep) events.push(e);
    }
  }
  const enc = new RespEncoder();
  const created: Record<string, number> = {};
  const partials = t.partials;
  const lists: PartialCell[][] = partials === null ? [] : Array.from({ length: partials.partitions }, () => []);
  for (const { name, view, watermark, reducer, acc, agg } of all) {
    if (reducer) for (const u of acc !== null ? acc.finish() : reducer.reduce(events, view)) agg.add(u);
    const inVersion = (b: number): boolean => b + view.bucketMs <= watermark;
    if (partials?.views.includes(name)) {
      for (const c of agg.cellsOf(inVersion)) lists[partitionOf(c.key, partials.partitions)]!.push(agg.partialOf(name, c));
      continue;
    }
    if (!t.single.includes(name)) throw new Error(`view '${name}' is neither single-writer nor combined`);
    created[name] = encodeCells(enc, t.target, view, agg, inVersion);
  }
  const spilled = partials === null ? [] : writeSpills(partials.spillDir, lists);
  return { events: count, duplicates, created, partials: spilled, writes: enc.take() };
}
