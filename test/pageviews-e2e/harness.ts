/**
 * Helpers of the pageviews end-to-end tests: the real CLI (`node dist/cli/bin.js`) in a chosen
 * cwd and environment, a few CLI calls at a time, and direct reads of view cells in Redis by
 * the documented key schema.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { ROOT, type CliResult } from '../cli/run-cli.js';
import { bucketKey, cellKey } from './reference.js';

export { ROOT };
export const BIN = join(ROOT, 'dist', 'cli', 'bin.js');
export const PAGEVIEWS = join(ROOT, 'topologies', 'pageviews.ts');
export const SHIPPED_LOG = join(ROOT, 'topologies', 'data', 'apache_logs.log');
export const fixture = (name: string): string => join(ROOT, 'test', 'fixtures', 'pageviews', name);

/** An environment without REDIS_URL, so no test can reach a Redis it was not given. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  delete env['REDIS_URL'];
  return env;
}

/** `topo ...args` in `cwd` (default the project root); never rejects on a non-zero exit. */
export function topoIn(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CliResult & { ms: number }> {
  const started = Date.now();
  const timeout = options.timeoutMs ?? 60_000;
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: options.cwd ?? ROOT, env: options.env ?? cleanEnv(), timeout, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const e = err as (Error & { code?: number | string; signal?: NodeJS.Signals; killed?: boolean }) | null;
      const code = e === null ? 0 : typeof e.code === 'number' ? e.code : null;
      const timedOut = e?.killed === true;
      resolve({ code, signal: e?.signal ?? null, stdout, stderr: timedOut ? `${stderr}\n(killed after ${timeout} ms)` : stderr, timedOut, ms: Date.now() - started });
    });
  });
}

/** The last stdout line as JSON, or an error showing what the command printed. */
export function lastJson<T>(r: CliResult): T {
  const lines = r.stdout.trimEnd().split('\n');
  try {
    return JSON.parse(lines[lines.length - 1]!) as T;
  } catch {
    throw new Error(`no JSON on the last stdout line (exit ${r.code})\nstdout:\n${r.stdout.slice(-2000)}\nstderr:\n${r.stderr.slice(-2000)}`);
  }
}

/** Map with at most `n` calls in flight (CLI processes on a 2-core machine). */
export async function pool<T, R>(items: readonly T[], n: number, f: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await f(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, lane));
  return out;
}

export interface RunSummaryJson {
  status: string;
  elapsedMs: number;
  spouts: Record<string, { emitted: number; acked: number; failed: number; replayed: number; errors: number }>;
  bolts: Record<string, { executed: number; emitted: number; acked: number; failed: number; errors: number }>;
  throughput: { ackedPerSec: number; executedPerSec: number };
  error: string | null;
}

export interface QueryJson<V = number> {
  view: string;
  key: string;
  from: string;
  to: string;
  value: V;
  buckets: { start: string; value: V; source: string }[];
}

/** Direct reads of view cells (one pipeline per call), by the documented key schema. */
export class Cells {
  readonly redis: Redis;
  constructor(url: string, private readonly namespace = 'pageviews') {
    this.redis = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 1 });
  }

  /** Values of a count view's cells (members of their bucket's top ZSET) for every (key, hour) pair; absent cells read 0. */
  async counts(view: string, pairs: readonly (readonly [string, number])[]): Promise<number[]> {
    const out: number[] = [];
    for (let i = 0; i < pairs.length; i += 1000) {
      const p = this.redis.pipeline();
      for (const [k, h] of pairs.slice(i, i + 1000)) p.zscore(bucketKey(this.namespace, view, h), k);
      for (const [err, v] of (await p.exec()) ?? []) {
        if (err) throw err;
        out.push(v === null ? 0 : Number(v));
      }
    }
    return out;
  }

  /** PFCOUNT of every (key, hour) pair. */
  async distinct(view: string, pairs: readonly (readonly [string, number])[]): Promise<number[]> {
    const p = this.redis.pipeline();
    for (const [k, h] of pairs) p.pfcount(cellKey(this.namespace, view, k, h));
    return ((await p.exec()) ?? []).map(([err, v]) => {
      if (err) throw err;
      return Number(v);
    });
  }

  /**
   * PFCOUNT of a HyperLogLog built here from each exact set: what the view's cell must count
   * if it holds exactly that set of members (hash collisions included, order irrelevant).
   */
  async hllOf(sets: readonly (readonly string[])[]): Promise<number[]> {
    const p = this.redis.pipeline();
    sets.forEach((s, i) => {
      const k = `test:reference-hll:${i}`;
      p.del(k);
      if (s.length > 0) p.pfadd(k, ...s);
      p.pfcount(k);
      p.del(k);
    });
    const res = ((await p.exec()) ?? []).map(([err, v]) => {
      if (err) throw err;
      return v;
    });
    const out: number[] = [];
    let at = 0;
    for (const s of sets) {
      at += s.length > 0 ? 2 : 1;
      out.push(Number(res[at]));
      at += 2;
    }
    return out;
  }

  /** Hash counters (e.g. visits and bounces) of every (key, hour) pair. */
  async counters(view: string, pairs: readonly (readonly [string, number])[]): Promise<Record<string, number>[]> {
    const p = this.redis.pipeline();
    for (const [k, h] of pairs) p.hgetall(cellKey(this.namespace, view, k, h));
    return ((await p.exec()) ?? []).map(([err, v]) => {
      if (err) throw err;
      return Object.fromEntries(Object.entries(v as Record<string, string>).map(([f, n]) => [f, Number(n)]));
    });
  }

  close(): void {
    this.redis.disconnect();
  }
}
