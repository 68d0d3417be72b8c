/**
 * `topo query VIEW KEY`, `topo top VIEW`, `topo keys VIEW`: read a topology's views through
 * the serving layer (src/serving/query.ts): buckets the latest batch run covers come from
 * the batch view (`"source": "batch"`), later ones from the realtime view. The view
 * definitions come from the topology file's `views` export (default
 * topologies/pageviews.ts), the namespace from its name.
 */
import { existsSync } from 'node:fs';
import { loadTopologyFile } from '../runtime/loader.js';
import { RunError } from '../runtime/supervisor.js';
import { connectViews } from '../speed/connect.js';
import { RedisViewStore } from '../speed/redis-store.js';
import { ServingLayer } from '../serving/query.js';
import type { StoreView } from '../speed/store.js';
import { bucketsBetween, type ViewDef } from '../views/view.js';
import { durationFlag, UsageError } from './options.js';
import { parseTime } from './time.js';

export interface QueryFlags {
  topology?: string;
  from?: string;
  to?: string;
  json?: boolean;
  redis?: string;
  redisTimeout?: string;
  n?: string;
}

/** At most a year of hourly buckets (8,784 in a leap year) per query. */
const MAX_BUCKETS = 8784;

interface Opened {
  view: ViewDef<never>;
  serving: ServingLayer;
  release(): Promise<void>;
}

async function open(viewName: string, flags: QueryFlags): Promise<Opened> {
  const file = flags.topology ?? 'topologies/pageviews.ts';
  if (flags.topology === undefined && !existsSync(file)) throw new UsageError('--topology FILE is required (the topology whose views to read)');
  const loaded = await loadTopologyFile(file);
  const views = loaded.views ?? [];
  const view = views.find((v) => v.name === viewName);
  if (!view) throw new UsageError(`unknown view '${viewName}' (${file} defines: ${views.map((v) => v.name).join(', ') || 'no views'})`);
  const timeout = durationFlag('redis-timeout', flags.redisTimeout);
  const conn = await connectViews({ ...(flags.redis !== undefined ? { url: flags.redis } : {}), ...(timeout !== undefined ? { redisTimeoutMs: timeout } : {}) })
    .catch((err: unknown) => { throw new RunError((err as Error).message, 1); });
  if (conn.url === null) {
    await conn.release();
    throw new RunError('no Redis: give --redis URL or REDIS_URL, or install redis-server (views of in-process runs are gone when the run ends)', 1);
  }
  const store = RedisViewStore.open(conn.url, { namespace: loaded.topology.name });
  // The store fails commands while disconnected (no offline queue): connect before reading.
  await store.ready().catch(async (err: unknown) => { await store.close(); await conn.release(); throw new RunError((err as Error).message, 1); });
  return { view, serving: new ServingLayer(store.redis, loaded.topology.name), release: async () => { await store.close(); await conn.release(); } };
}

function range(view: ViewDef<never>, flags: QueryFlags): { from: number; to: number; buckets: number[] } {
  const to = flags.to !== undefined ? parseTime(flags.to, '--to') : Date.now();
  const from = flags.from !== undefined ? parseTime(flags.from, '--from') : to - view.bucketMs;
  if (from > to) throw new UsageError(`--from (${new Date(from).toISOString()}) is after --to (${new Date(to).toISOString()})`);
  const count = Math.floor(to / view.bucketMs) - Math.floor(from / view.bucketMs) + 1;
  if (count > MAX_BUCKETS) throw new UsageError(`the range spans ${count} buckets; at most ${MAX_BUCKETS} per query`);
  return { from, to, buckets: bucketsBetween(view, from, to) };
}

export async function queryCommand(viewName: string, rawKey: string, flags: QueryFlags): Promise<number> {
  const { view, serving, release } = await open(viewName, flags);
  try {
    const key = view.normalizeKey ? view.normalizeKey(rawKey) : rawKey;
    if (key === null) throw new UsageError(`'${rawKey}' is not a valid key for view '${viewName}'`);
    const { from, to, buckets } = range(view, flags);
    const r = await serving.query(view as StoreView, key, buckets);
    const shape = (v: unknown): unknown => (view.present && typeof v === 'object' ? view.present(v as Record<string, number>) : v);
    const out = {
      view: view.name, key, from: new Date(from).toISOString(), to: new Date(to).toISOString(),
      value: shape(r.total),
      buckets: r.buckets.map((b) => ({ start: new Date(b.bucket).toISOString(), value: shape(b.value), source: b.source })),
      watermark: r.watermark === null ? null : new Date(r.watermark).toISOString(),
    };
    if (flags.json) process.stdout.write(`${JSON.stringify(out)}\n`);
    else {
      process.stdout.write(`${view.name} ${key} ${out.from} .. ${out.to}: ${JSON.stringify(out.value)}\n`);
      for (const b of out.buckets) process.stdout.write(`  ${b.start}  ${JSON.stringify(b.value)}  ${b.source}\n`);
    }
    return 0;
  } finally {
    await release();
  }
}

export async function topCommand(viewName: string, flags: QueryFlags): Promise<number> {
  const { view, serving, release } = await open(viewName, flags);
  try {
    const n = Number(flags.n ?? 10);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`-n must be a positive integer, got '${flags.n}'`);
    const { buckets } = range(view, flags);
    const { top, watermark } = await serving.top(view as StoreView, buckets, n);
    if (flags.json) process.stdout.write(`${JSON.stringify({ view: view.name, top, watermark: watermark === null ? null : new Date(watermark).toISOString() })}\n`);
    else for (const e of top) process.stdout.write(`${String(e.score).padStart(10)}  ${e.key}\n`);
    return 0;
  } finally {
    await release();
  }
}

export async function keysCommand(viewName: string, flags: QueryFlags): Promise<number> {
  const { view, serving, release } = await open(viewName, flags);
  try {
    const keys = await serving.keys(view as StoreView);
    if (flags.json) process.stdout.write(`${JSON.stringify({ view: view.name, keys })}\n`);
    else for (const k of keys) process.stdout.write(`${k}\n`);
    return 0;
  } finally {
    await release();
  }
}
