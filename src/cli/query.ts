/**
 * `topo query VIEW KEY`, `topo top VIEW`, `topo keys VIEW`: read a topology's views through
 * the serving layer (src/serving/query.ts): buckets the latest batch run covers come from
 * the batch view (`"source": "batch"`), later ones from the realtime view, and a bucket
 * neither holds is printed as missing (`"source": "missing"`, value null). The view
 * definitions come from the topology file's `views` export (default
 * topologies/pageviews.ts), the namespace from its name.
 */
import { existsSync } from 'node:fs';
import { RunError } from '../runtime/physical-plan.js';
import { keysAnswer, queryAnswer, topAnswer } from '../serving/answers.js';
import { loadServedViews, openServing, ViewStoreUnavailableError, type OpenedServing } from '../serving/open.js';
import { findView, precheckRange, QueryInputError, topCount, viewKey, type RangeNames } from '../serving/request.js';
import type { ViewDef } from '../views/view.js';
import { durationFlag, UsageError } from './options.js';
import { tlsFlagsOf, type RedisTlsCliFlags } from './redis-flags.js';

export interface QueryFlags extends RedisTlsCliFlags {
  topology?: string;
  from?: string;
  to?: string;
  json?: boolean;
  redis?: string;
  redisTimeout?: string;
  redisCluster?: string[];
  n?: string;
}

/** The topology read without -t: the shipped pageviews application, in this repository's layout. */
const DEFAULT_TOPOLOGY = 'topologies/pageviews.ts';

interface Resolved {
  view: ViewDef<never>;
  namespace: string;
}

/** Find the view in the topology file: everything a command checks before touching Redis. */
async function resolve(viewName: string, flags: QueryFlags): Promise<Resolved> {
  const file = flags.topology ?? DEFAULT_TOPOLOGY;
  if (flags.topology === undefined && !existsSync(file)) {
    throw new UsageError(`no ${DEFAULT_TOPOLOGY} here (${process.cwd()}): name the topology file whose views to read with -t FILE, e.g. -t topologies/mine.ts`);
  }
  durationFlag('redis-timeout', flags.redisTimeout);
  const { views, namespace } = await loadServedViews(file);
  return { view: usage(() => findView(views, viewName, file)), namespace };
}

/** Unreachable Redis exits 1. */
async function connect({ namespace }: Resolved, flags: QueryFlags): Promise<OpenedServing> {
  return openServing(namespace, { url: flags.redis, cluster: flags.redisCluster, redisTimeoutMs: durationFlag('redis-timeout', flags.redisTimeout), tls: tlsFlagsOf(flags) })
    .catch((err: unknown) => { throw err instanceof ViewStoreUnavailableError ? new RunError(err.message, 1) : err; });
}

const NAMES: RangeNames = { from: '--from', to: '--to' };

/** Bad query input is bad usage (exit 2). */
function usage<T>(f: () => T): T {
  try {
    return f();
  } catch (err) {
    throw err instanceof QueryInputError ? new UsageError(err.message) : err;
  }
}

async function usageAsync<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (err) {
    throw err instanceof QueryInputError ? new UsageError(err.message) : err;
  }
}

/** The header's mark of a range with holes: missing buckets are left out of its value. */
function incomplete(missing: number, of: number): string {
  return missing === 0 ? '' : `  (incomplete: ${missing} of ${of} buckets missing: no batch version covers them and the realtime view does not hold them)`;
}

export async function queryCommand(viewName: string, rawKey: string, flags: QueryFlags): Promise<number> {
  const resolved = await resolve(viewName, flags);
  const { view } = resolved;
  const key = usage(() => viewKey(view, rawKey));
  usage(() => precheckRange(view, flags, NAMES));
  const { serving, release } = await connect(resolved, flags);
  try {
    const out = await usageAsync(() => queryAnswer(serving, view, key, flags, NAMES));
    if (flags.json) process.stdout.write(`${JSON.stringify(out)}\n`);
    else {
      process.stdout.write(`${view.name} ${key} ${out.from} .. ${out.to}: ${JSON.stringify(out.value)}${incomplete(out.missing, out.buckets.length)}\n`);
      for (const b of out.buckets) process.stdout.write(b.source === 'missing' ? `  ${b.start}  -  missing\n` : `  ${b.start}  ${JSON.stringify(b.value)}  ${b.source}\n`);
    }
    return 0;
  } finally {
    await release();
  }
}

export async function topCommand(viewName: string, flags: QueryFlags): Promise<number> {
  const resolved = await resolve(viewName, flags);
  const { view } = resolved;
  const n = usage(() => topCount(flags.n, '-n'));
  usage(() => precheckRange(view, flags, NAMES));
  const { serving, release } = await connect(resolved, flags);
  try {
    const out = await usageAsync(() => topAnswer(serving, view, n, flags, NAMES));
    if (flags.json) process.stdout.write(`${JSON.stringify(out)}\n`);
    else {
      for (const e of out.top) process.stdout.write(`${String(e.score).padStart(10)}  ${e.key}\n`);
      if (out.missing > 0) process.stdout.write(`(incomplete: ${out.missing} bucket(s) of the range missing, left out)\n`);
    }
    return 0;
  } finally {
    await release();
  }
}

export async function keysCommand(viewName: string, flags: QueryFlags): Promise<number> {
  const resolved = await resolve(viewName, flags);
  const { serving, release } = await connect(resolved, flags);
  try {
    const out = await keysAnswer(serving, resolved.view);
    if (flags.json) process.stdout.write(`${JSON.stringify(out)}\n`);
    else for (const k of out.keys) process.stdout.write(`${k}\n`);
    return 0;
  } finally {
    await release();
  }
}
