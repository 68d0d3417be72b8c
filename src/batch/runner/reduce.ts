/**
 * A reduce task of `topo batch`: one partition's spills, duplicates removed, aggregated per
 * view, written to the batch version (write.ts for views with one writer per cell, merge.ts
 * for the others).
 *
 * Plain views aggregate each event as it is unpacked, so an event dies young: holding a
 * partition's events until every view had read them promoted them all to the old generation,
 * and garbage collection was a quarter of a pool thread's time. Only a reducer view (bounces)
 * needs the partition's events together, and only then are they kept.
 */
import { BatchAggregate } from './aggregate.js';
import { mergeCells } from './merge.js';
import { load, viewNamed } from './module.js';
import { readSpills } from './spill.js';
import type { ReduceResult, ReduceTask } from './worker.js';
import { writeCells } from './write.js';

export async function reduce(t: ReduceTask): Promise<ReduceResult> {
  const { input, views } = await load(t.bundle);
  const all = Object.entries(t.views).map(([name, watermark]) => {
    const view = viewNamed(views, name);
    const reducer = input.reducers?.[name];
    if (!reducer && view.aggregation.kind === 'counters') throw new Error(`view '${name}' (counters) needs batchInput.reducers.${name}`);
    return { name, view, watermark, reducer, agg: new BatchAggregate(view.aggregation) };
  });
  const plain = all.filter((v) => v.reducer === undefined);
  const keep = all.some((v) => v.reducer !== undefined);
  const seen = new Set<string>();
  const events: unknown[] = [];
  let count = 0, duplicates = 0;
  const identityOf = input.identityOf;
  for (const spilled of readSpills(t.spills)) {
    for (const e of spilled) {
      if (identityOf !== undefined) {
        const id = identityOf(e);
        if (seen.has(id)) {
          duplicates++;
          continue;
        }
        seen.add(id);
      }
      count++;
      for (let i = 0; i < plain.length; i++) plain[i]!.agg.addEvent(plain[i]!.view, e);
      if (keep) events.push(e);
    }
  }
  const writes: Array<Promise<[string, number]>> = [];
  for (const { name, view, watermark, reducer, agg } of all) {
    if (reducer) for (const u of reducer.reduce(events, view)) agg.add(u);
    // Not awaited here: the next view is written (or reduced) while this one's commands run.
    const inVersion = (b: number): boolean => b + view.bucketMs <= watermark;
    const written = t.single.includes(name) ? writeCells(t.target, view, agg, inVersion) : mergeCells(t.target, view, agg.cellsOf(inVersion));
    const write = written.then((n): [string, number] => [name, n]);
    // Observed now: if a later view throws first, this one's failure must not go unhandled.
    write.catch(() => {});
    writes.push(write);
  }
  return { events: count, duplicates, created: Object.fromEntries(await Promise.all(writes)) };
}
