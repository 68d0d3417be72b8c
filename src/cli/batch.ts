/**
 * `topo batch FILE`: recompute the topology's views from the master dataset and publish
 * them; `topo batch FILE --rollback VIEW`: make a view's previous batch version current.
 * Flags are parsed here; the work is in src/batch/runner.
 */
import { existsSync, statSync } from 'node:fs';
import { Redis } from 'ioredis';
import { DEFAULT_MASTER_ROOT } from '../batch/master/layout.js';
import { StrictError } from '../batch/runner/compute.js';
import { LeaseBusyError } from '../batch/runner/lease.js';
import { BatchUsageError, rollbackBatch, runBatch, type BatchRunOptions, type BatchRunResult } from '../batch/runner/run.js';
import { RunError } from '../runtime/supervisor.js';
import { connectViews } from '../speed/connect.js';
import { redisOptionsFromUrl } from '../speed/redis-url.js';
import { durationFlag, intFlag, UsageError } from './options.js';
import { fmt } from './progress.js';
import { NoPreviousVersionError } from '../serving/pointer.js';
import { tlsFlagsOf, type RedisTlsCliFlags } from './redis-flags.js';
import { batchLoop } from './batch-loop.js';

export interface BatchFlags extends RedisTlsCliFlags {
  view?: string[];
  since?: string;
  until?: string;
  master?: string;
  threads?: string;
  redis?: string;
  redisTimeout?: string;
  redisCluster?: string[];
  wait?: string;
  rollback?: string;
  strict?: boolean;
  json?: boolean;
  quiet?: boolean;
  /** `--every T`: run again every T (0: back to back) until a signal (batch-loop.ts). */
  every?: string;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function dateFlag(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!DATE.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) throw new UsageError(`--${name} must be a date YYYY-MM-DD, got '${value}'`);
  return value;
}

export async function batchCommand(file: string, flags: BatchFlags): Promise<number> {
  const since = dateFlag('since', flags.since);
  const until = dateFlag('until', flags.until);
  if (since && until && since > until) throw new UsageError(`--since ${since} is after --until ${until}`);
  const threads = intFlag('threads', flags.threads, 1);
  const waitMs = flags.wait === '0' ? 0 : durationFlag('wait', flags.wait);
  const everyMs = flags.every === '0' ? 0 : durationFlag('every', flags.every);
  if (everyMs !== undefined && flags.rollback !== undefined) throw new UsageError('--every repeats a recompute; it does not go with --rollback');
  const timeout = durationFlag('redis-timeout', flags.redisTimeout);
  // Publishing writes a version's cells, pointer and cleanup across many slots in scripts and
  // pipelines built for one Redis: not ported to a cluster yet, so refused before any work.
  const clusterEnv = flags.redis === undefined ? process.env['REDIS_CLUSTER_URLS'] : undefined;
  if ((flags.redisCluster !== undefined && flags.redisCluster.length > 0) || (clusterEnv !== undefined && clusterEnv !== '')) {
    throw new UsageError(`topo batch cannot publish into a Redis Cluster yet (${flags.redisCluster !== undefined ? '--redis-cluster' : 'REDIS_CLUSTER_URLS'} given): run it against a single Redis (--redis URL); topo run, query, top, keys and serve work with --redis-cluster`);
  }
  // Everything that needs no Redis is checked first: a wrong path should not wait for a connection.
  if (!existsSync(file)) throw new UsageError(`topology file not found: ${file}`);
  if (flags.rollback === undefined) masterRootOrFail(flags.master);
  const conn = await connectViews({ ...(flags.redis !== undefined ? { url: flags.redis } : {}), ...(timeout !== undefined ? { redisTimeoutMs: timeout } : {}), tls: tlsFlagsOf(flags) })
    .catch((err: unknown) => { throw err instanceof RunError ? err : new RunError((err as Error).message, 1); });
  if (conn.url === null) {
    await conn.release();
    throw new RunError('no Redis: give --redis URL or REDIS_URL, or install redis-server (batch views are published to Redis)', 1);
  }
  const redis = new Redis({ ...redisOptionsFromUrl(conn.url), maxRetriesPerRequest: 3 });
  redis.on('error', () => {});
  try {
    if (flags.rollback !== undefined) {
      const { before } = await rollbackBatch(redis, file, flags.rollback, waitMs);
      const line = { view: flags.rollback, current: before.previous, watermark: new Date(before.previousWatermark!).toISOString(), rolledBack: before.current };
      process.stdout.write(flags.json ? `${JSON.stringify(line)}\n` : `${flags.rollback}: batch ${before.current} rolled back; batch ${line.current} (to ${line.watermark}) is current\n`);
      return 0;
    }
    const once = batchRun(redis, { file, root: flags.master ?? DEFAULT_MASTER_ROOT, strict: flags.strict ?? false,
      ...(flags.view ? { views: flags.view } : {}), ...(since ? { since } : {}), ...(until ? { until } : {}),
      ...(threads !== undefined ? { threads } : {}), ...(waitMs !== undefined ? { waitMs } : {}) }, {
      progress: (l) => void (flags.quiet ? 0 : process.stderr.write(l)),
      warn: (l) => void process.stderr.write(l),
      summary: (r) => void process.stdout.write(flags.json ? `${JSON.stringify(summary(r))}\n` : text(r)),
    });
    if (everyMs === undefined) {
      await once('');
      return 0;
    }
    return await batchLoop(everyMs, async (n, signal) => void (await once(` run ${n}`, signal)), { say: (l) => void (flags.quiet && !/failed|abort|stopping/.test(l) ? 0 : process.stderr.write(`${l}\n`)) });
  } catch (err) {
    if (err instanceof LeaseBusyError) throw new RunError(err.message, 1);
    if (err instanceof BatchUsageError) throw new UsageError(err.message);
    if (err instanceof StrictError) throw new RunError(err.message, 1);
    if (err instanceof NoPreviousVersionError) throw new RunError(err.message, 1);
    throw err;
  } finally {
    redis.disconnect();
    await conn.release();
  }
}

export interface BatchOutput {
  /** A progress line (files, records, rate, eta), newline included. */
  progress(line: string): void;
  /** Temp-part notes and bad lines, newline included (shown even when quiet). */
  warn(line: string): void;
  /** The run's outcome. */
  summary(r: BatchRunResult): void;
}

/** One batch run as `topo batch` does it (progress at most once a second), for the loop and `topo up`. */
export function batchRun(redis: Redis, o: Omit<BatchRunOptions, 'signal' | 'onFile'>, out: BatchOutput): (label: string, signal?: AbortSignal) => Promise<BatchRunResult> {
  return async (label, signal) => {
    let last = 0;
    const t0 = Date.now();
    const r = await runBatch(redis, {
      ...o, ...(signal ? { signal } : {}),
      onFile: (done, total, records) => {
        if (Date.now() - last < 1000 && done < total) return;
        last = Date.now();
        const s = (last - t0) / 1000;
        const eta = done > 0 ? ((total - done) * s) / done : 0;
        out.progress(`[batch]${label} files ${done}/${total} records ${fmt(records)} (${fmt(records / Math.max(s, 0.001))}/s) eta ${eta.toFixed(0)}s\n`);
      },
      // An unknown view is bad usage: the loop ends at once rather than retrying it.
    }).catch((err: unknown) => { throw err instanceof BatchUsageError ? new UsageError(err.message) : err; });
    for (const line of tempPartLines(r)) out.warn(line);
    for (const b of r.bad) out.warn(`[batch] bad line: ${b}\n`);
    if (r.badLines > r.bad.length) out.warn(`[batch] ... ${r.badLines - r.bad.length} more bad line(s)\n`);
    out.summary(r);
    return r;
  };
}

/** A --master that is not a directory is bad usage (exit 2); no dataset at the default root is a failed run (exit 1). */
function masterRootOrFail(given: string | undefined): void {
  const root = given ?? DEFAULT_MASTER_ROOT;
  let isDir = false;
  try {
    isDir = statSync(root).isDirectory();
  } catch {
    // missing: told below
  }
  if (isDir) return;
  const what = existsSync(root) ? 'is not a directory' : 'does not exist';
  if (given !== undefined) throw new UsageError(`--master ${given}: the master dataset root ${what}`);
  throw new RunError(`no master dataset: ${root} ${what} (append to it with topo ingest, or give its root with --master DIR)`, 1);
}

/** What the run did with temp parts: recovered ones (read), and a warning for live ones (not read, watermark capped). */
function tempPartLines(r: BatchRunResult): string[] {
  const t = r.tempParts;
  const out: string[] = [];
  if (t.recovered > 0) out.push(`[batch] recovered ${t.recovered} abandoned temp part(s) before reading (their writers are gone)\n`);
  if (t.live > 0) {
    const at = t.liveEarliest === null ? 'no complete line yet' : `earliest event ${new Date(t.liveEarliest).toISOString()}`;
    out.push(`[batch] warning: ${t.live} temp part(s) of a live writer hold ${t.liveLines} line(s) not read (${at}): ` +
      `watermarks capped below them and no realtime bucket after that expired; run again once they roll (master.maxAgeMs, 5 min by default) or their writer stops\n`);
  }
  for (const x of r.sideInputs) {
    if (x.liveTempParts > 0) out.push(`[batch] warning: ${x.liveTempParts} temp part(s) of a live writer in ${x.dataset} not read: side input ${x.name} misses their records until they roll\n`);
  }
  return out;
}

export function summary(r: BatchRunResult): Record<string, unknown> {
  const { published, maxTs, ...rest } = r;
  return {
    ...rest,
    latestEvent: maxTs === null ? null : new Date(maxTs).toISOString(),
    eventsPerSec: Math.round((r.records / Math.max(r.elapsedMs, 1)) * 1000),
    views: published.map((p) => ({ view: p.view, batchId: p.batchId, watermark: new Date(p.watermark).toISOString(), keys: p.keys,
      previous: p.replaced?.current ?? null, realtimeBucketsExpired: p.realtimeBucketsExpired, versionsDeleted: p.versionsDeleted })),
  };
}

export function text(r: BatchRunResult): string {
  const sides = r.sideInputs.map((x) => `[batch] side input ${x.name}: ${fmt(x.records)} records of ${x.dataset} (${x.files} files, ${x.badLines} bad lines) in ${(x.ms / 1000).toFixed(1)}s\n`).join('');
  if (r.maxTs === null) return `${sides}[batch] the master dataset has no records (${r.files} files): nothing published\n`;
  const head = `[batch] ${r.files} files, ${fmt(r.records)} records, ${fmt(r.events)} events (${r.duplicates} duplicates, ${r.skipped} skipped, ${r.badLines} bad lines) ` +
    `in ${(r.elapsedMs / 1000).toFixed(1)}s on ${r.threads} threads: ${fmt((r.records / Math.max(r.elapsedMs, 1)) * 1000)} records/s\n`;
  return sides + head + r.published.map((p) => `[batch] ${p.view}: batch ${p.batchId} published, ${p.keys} cells up to ${new Date(p.watermark).toISOString()}\n`).join('');
}
