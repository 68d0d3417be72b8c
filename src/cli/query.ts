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
import { bucketsBetween, DAY_MS, type ViewDef } from '../views/view.js';
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

interface Resolved {
  view: ViewDef<never>;
  namespace: string;
}

/** Find the view in the topology file: everything a command checks before touching Redis. */
async function resolve(viewName: string, flags: QueryFlags): Promise<Resolved> {
  const file = flags.topology ?? 'topologies/pageviews.ts';
  if (flags.topology === undefined && !existsSync(file)) throw new UsageError('--topology FILE is required (the topology whose views to read)');
  durationFlag('redis-timeout', flags.redisTimeout);
  const loaded = await loadTopologyFile(file);
  const views = loaded.views ?? [];
  const view = views.find((v) => v.name === viewName);
  if (!view) throw new UsageError(`unknown view '${viewName}' (${file} defines: ${views.map((v) => v.name).join(', ') || 'no views'})`);
  return { view, namespace: loaded.topology.name };
}

interface Opened {
  serving: ServingLayer;
  release(): Promise<void>;
}

async function connect({ namespace }: Resolved, flags: QueryFlags): Promise<Opened> {
  const timeout = durationFlag('redis-timeout', flags.redisTimeout);
  const conn = await connectViews({ ...(flags.redis !== undefined ? { url: flags.redis } : {}), ...(timeout !== undefined ? { redisTimeoutMs: timeout } : {}) })
    .catch((err: unknown) => { throw new RunError((err as Error).message, 1); });
  if (conn.url === null) {
    await conn.release();
    throw new RunError('no Redis: give --redis URL or REDIS_URL, or install redis-server (views of in-process runs are gone when the run ends)', 1);
  }
  const store = RedisViewStore.open(conn.url, { namespace });
  // The store fails commands while disconnected (no offline queue): connect before reading.
  await store.ready().catch(async (err: unknown) => { await store.close(); await conn.release(); throw new RunError((err as Error).message, 1); });
  return { serving: new ServingLayer(store.redis, namespace), release: async () => { await store.close(); await conn.release(); } };
}

/** The range given on the command line, checked; null bounds mean "not given". */
function givenRange(flags: QueryFlags): { from: number | null; to: number | null } {
  const to = flags.to !== undefined ? parseTime(flags.to, '--to') : null;
  const from = flags.from !== undefined ? parseTime(flags.from, '--from') : null;
  if (from !== null && to !== null && from > to) {
    throw new UsageError(`--from (${new Date(from).toISOString()}) is after --to (${new Date(to).toISOString()})`);
  }
  return { from, to };
}

/**
 * The buckets of the range. Without --to the range ends at the view's latest bucket (so a
 * replayed old log answers too), else now; without --from it spans a day before its end.
 */
async function range(view: ViewDef<never>, flags: QueryFlags, serving: ServingLayer): Promise<{ from: number; to: number; buckets: number[] }> {
  const given = givenRange(flags);
  const latest = given.to === null ? await serving.latestBucket(view as StoreView) : null;
  const to = given.to ?? (latest !== null ? latest + view.bucketMs - 1 : Date.now());
  const from = given.from ?? Math.max(0, to - DAY_MS + 1);
  if (from > to) throw new UsageError(`--from (${new Date(from).toISOString()}) is after the range's end (${new Date(to).toISOString()})`);
  checkCount(view, from, to);
  return { from, to, buckets: bucketsBetween(view, from, to) };
}

function checkCount(view: ViewDef<never>, from: number, to: number): void {
  const count = Math.floor(to / view.bucketMs) - Math.floor(from / view.bucketMs) + 1;
  if (count > MAX_BUCKETS) throw new UsageError(`the range spans ${count} buckets; at most ${MAX_BUCKETS} per query`);
}

/** Everything checkable without Redis, so a typo exits 2 at once even when Redis is down. */
function precheck(view: ViewDef<never>, flags: QueryFlags): void {
  const { from, to } = givenRange(flags);
  if (from !== null && to !== null) checkCount(view, from, to);
}

export async function queryCommand(viewName: string, rawKey: string, flags: QueryFlags): Promise<number> {
  const resolved = await resolve(viewName, flags);
  const { view } = resolved;
  const key = view.normalizeKey ? view.normalizeKey(rawKey) : rawKey;
  if (key === null) throw new UsageError(`'${rawKey}' is not a valid key for view '${viewName}'`);
  precheck(view, flags);
  const { serving, release } = await connect(resolved, flags);
  try {
    const { from, to, buckets } = await range(view, flags, serving);
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
  const resolved = await resolve(viewName, flags);
  const { view } = resolved;
  const n = Number(flags.n ?? 10);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`-n must be a positive integer, got '${flags.n}'`);
  precheck(view, flags);
  const { serving, release } = await connect(resolved, flags);
  try {
    const { buckets } = await range(view, flags, serving);
    const { top, watermark } = await serving.top(view as StoreView, buckets, n);
    if (flags.json) process.stdout.write(`${JSON.stringify({ view: view.name, top, watermark: watermark === null ? null : new Date(watermark).toISOString() })}\n`);
    else for (const e of top) process.stdout.write(`${String(e.score).padStart(10)}  ${e.key}\n`);
    return 0;
  } finally {
    await release();
  }
}

export async function keysCommand(viewName: string, flags: QueryFlags): Promise<number> {
  const resolved = await resolve(viewName, flags);
  const { view } = resolved;
  const { serving, release } = await connect(resolved, flags);
  try {
    const keys = await serving.keys(view as StoreView);
    if (flags.json) process.stdout.write(`${JSON.stringify({ view: view.name, keys })}\n`);
    else for (const k of keys) process.stdout.write(`${k}\n`);
    return 0;
  } finally {
    await release();
  }
}
