/**
 * A combine task of `topo batch`: the partial cells of one key partition, from every reducer of
 * the views whose cells several reducers share (reducer views such as bounces: each reducer
 * holds whole visitors, and a (domain, hour) cell has visits of many). Each cell's parts are
 * summed here and the cell is encoded once (write.ts), instead of merged into Redis part by
 * part by a Lua script (~7 Redis commands per part, and every reduce partition held a part
 * of nearly every bounces cell: 33 k parts for 8.3 k cells in the bench). Also used for a
 * plain view keyed otherwise than the key view (its cells span key partitions).
 */
import { BatchAggregate, type PartialCell } from './aggregate.js';
import { load, viewNamed } from './module.js';
import { readSpills } from './spill.js';
import type { CombineResult, CombineTask } from './worker.js';
import { RespEncoder } from './resp-encoder.js';
import { encodeCells } from './write.js';

export async function combine(t: CombineTask): Promise<CombineResult> {
  const { views } = await load(t.bundle);
  const aggs = new Map<string, BatchAggregate>();
  for (const list of readSpills(t.spills)) {
    for (const p of list as PartialCell[]) {
      let agg = aggs.get(p[0]);
      if (agg === undefined) aggs.set(p[0], (agg = new BatchAggregate(viewNamed(views, p[0]).aggregation)));
      agg.addPartial(p);
    }
  }
  // Buckets were cut to the watermark by the reducers.
  const all = () => true;
  const enc = new RespEncoder();
  const created: Record<string, number> = {};
  for (const [name, agg] of aggs) created[name] = encodeCells(enc, t.target, viewNamed(views, name), agg, all);
  return { created, writes: enc.take() };
}
