/**
 * The `batch` scenario's check against its peer: the views `topo batch` published, read
 * back through the serving layer (so any cell layout the kinds choose is read as queries read
 * it), must equal what DuckDB computes from the same files (duckdb-views.ts, with exact
 * distinct counts): the same cells per view, the same pageviews, visits and bounces in every
 * cell, and uniques within HyperLogLog error. Throws naming the first differences: a bench
 * run whose batch is fast but wrong must fail, not print a rate.
 */
import type { Redis } from 'ioredis';
import { ServingLayer } from '../../src/serving/query.js';
import type { ViewValue } from '../../src/views/kinds/index.js';
import type { ViewDef } from '../../src/views/view.js';
import { PAGEVIEW_VIEWS } from '../../topologies/pageviews/views.js';
import { duckdbViews } from './duckdb-views.js';
import { DUCKDB_THREADS } from './duckdb-batch.js';

/** Redis's HyperLogLog: 0.81% standard error; 3 of them, and one off for tiny counts. */
const withinHll = (got: number, exact: number): boolean => Math.abs(got - exact) <= Math.max(1, 0.025 * exact);

/** Buckets read per query of a distinct view: its range total is a PFCOUNT union, kept small. */
const PER_QUERY = 32;

export interface CheckSummary {
  readonly cells: Record<string, number>;
  /** Largest relative difference of a uniques cell. */
  readonly uniquesMaxError: number;
  readonly ms: number;
}

export async function checkAgainstDuckdb(redis: Redis, namespace: string, root: string, events: number, published: Readonly<Record<string, number>>): Promise<CheckSummary> {
  const t0 = performance.now();
  const duck = await duckdbViews(root, { threads: DUCKDB_THREADS, exactUniques: true, collect: true });
  const cells = duck.cells!;
  const serving = new ServingLayer(redis, namespace);
  const problems: string[] = [];
  const differ = (msg: string): void => {
    if (problems.length < 10) problems.push(msg);
  };
  if (duck.events !== events) differ(`topo batch read ${events} distinct events, DuckDB ${duck.events}`);
  let uniquesMaxError = 0;
  const views = new Map(PAGEVIEW_VIEWS.map((v) => [v.name, v as unknown as ViewDef<never>]));
  const compare = async <V>(name: string, expected: Map<string, Map<number, V>>, same: (got: ViewValue, want: V) => boolean): Promise<void> => {
    const view = views.get(name)!;
    let n = 0;
    for (const m of expected.values()) n += m.size;
    if (published[name] !== n) differ(`${name}: topo batch published ${published[name]} cells, DuckDB has ${n}`);
    const keys = new Set(await serving.keys(view));
    for (const k of expected.keys()) if (!keys.has(k)) differ(`${name}: key ${k} is missing from the batch view`);
    if (keys.size !== expected.size) differ(`${name}: the batch view has ${keys.size} keys, DuckDB ${expected.size}`);
    const reads: Array<[string, number[]]> = [];
    for (const [key, byBucket] of expected) {
      const buckets = [...byBucket.keys()].sort((a, b) => a - b);
      const per = view.aggregation.kind === 'distinct' ? PER_QUERY : 1000;
      for (let i = 0; i < buckets.length; i += per) reads.push([key, buckets.slice(i, i + per)]);
    }
    // A few queries in flight: each is a pipeline of its own.
    for (let i = 0; i < reads.length && problems.length < 10; i += 64) {
      await Promise.all(reads.slice(i, i + 64).map(async ([key, buckets]) => {
        const served = await serving.query(view, key, buckets);
        const byBucket = expected.get(key)!;
        for (const b of served.buckets) {
          const want = byBucket.get(b.bucket)!;
          if (b.source !== 'batch' || b.value === null || !same(b.value, want)) {
            differ(`${name} ${key} ${new Date(b.bucket).toISOString()}: topo ${JSON.stringify(b.value)} (${b.source}), DuckDB ${JSON.stringify(want)}`);
          }
        }
      }));
    }
  };
  await compare('pageviews', cells.pageviews, (got, want) => got === want);
  await compare('uniques', cells.uniques, (got, want) => {
    uniquesMaxError = Math.max(uniquesMaxError, Math.abs((got as number) - want) / want);
    return withinHll(got as number, want);
  });
  await compare('bounces', cells.bounces, (got, [visits, bounces]) => {
    const c = got as Record<string, number>;
    return (c['visits'] ?? 0) === visits && (c['bounces'] ?? 0) === bounces;
  });
  if (problems.length > 0) throw new Error(`topo batch and DuckDB disagree:\n  ${problems.join('\n  ')}`);
  return { cells: { ...duck.rows }, uniquesMaxError: Math.round(uniquesMaxError * 1e4) / 1e4, ms: Math.round(performance.now() - t0) };
}
