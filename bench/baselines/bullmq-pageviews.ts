/**
 * The `bullmq-pageviews` baseline: pageviews-redis's counting as BullMQ jobs, one job per
 * log line of the same replayed access log, on a redis-server this benchmark starts. The
 * worker (concurrency 50, in this process) parses the line with the project's own
 * parseApacheLine and pageKeysOf (URL normalisation, visitor), then counts the pageview per
 * normalised URL per hour (INCR, plus ZINCRBY on the hour's top set) and the visitor in the
 * URL's hourly HyperLogLog (PFADD), on one ioredis client with auto-pipelining (concurrent
 * jobs' commands share round trips: its best configuration).
 *
 * It does less than the topology, which the row's config says: no bounce sessions, no
 * duplicate removal, no master dataset. One stage, not three: a queue hop per stage would
 * only slow it down.
 *
 * Rate = lines through the worker / time from the first add to the last job's end; latency
 * from a line's add to the end of its job.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { pageKeysOf } from '../../topologies/pageviews/event.js';
import { parseApacheLine } from '../../topologies/pageviews/parse-apache.js';
import { startRedis } from '../../test/helpers/redis-server.js';
import { BULLMQ_CONFIG, connectionOf, Feeder, latencyOf, progress, until } from '../lib/bullmq-common.js';
import type { ScenarioResult } from '../lib/report.js';
import { writeReplay } from '../lib/replay-log.js';

interface LineJob { l: string; n: number; t: number }

const HOUR = 3_600_000;

/** Sum of every `pv:*` counter: the pageviews Redis actually holds (checked against the jobs). */
async function storedPageviews(redis: Redis): Promise<number> {
  let total = 0, cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', 'pv:*', 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) for (const v of await redis.mget(...keys)) total += Number(v);
  } while (cursor !== '0');
  return total;
}

export async function bullmqPageviews(quick: boolean): Promise<ScenarioResult> {
  // ~5-7 k jobs/s on an idle 2-core box, 4-5x less when it is shared: seconds quick, 10-60 s full.
  const events = quick ? 5_000 : 60_000;
  const tmp = mkdtempSync(path.join(tmpdir(), 'topo-bench-bullmq-pv-'));
  const server = await startRedis();
  const connection = connectionOf(server.port);
  const queue = new Queue<LineJob>('lines', { connection });
  const redis = new Redis({ host: '127.0.0.1', port: server.port, enableAutoPipelining: true });
  let done = 0, counted = 0, rejected = 0, skipped = 0, failed = 0;
  let firstError = '';
  const latencies: number[] = [];
  let worker: Worker<LineJob> | undefined;
  let stop = (): void => {};
  try {
    const input = path.join(tmp, 'replay.log');
    await writeReplay(path.join(process.cwd(), 'topologies', 'data', 'apache_logs.log'), input, events);
    const lines = readFileSync(input, 'utf8').split('\n').filter((l) => l !== '');
    const feeder = new Feeder<LineJob>(queue as Queue, (i) => ({ l: lines[i]!, n: i + 1, t: Date.now() }), () => done);

    worker = new Worker<LineJob>('lines', async (job: Job<LineJob>) => {
      try {
        const r = parseApacheLine(job.data.l, { id: `replay.log:${job.data.n}`, host: 'semicomplete.com' });
        if (!r.ok) {
          rejected++;
          return;
        }
        const k = pageKeysOf(r.event);
        if (k === null) {
          skipped++;
          return;
        }
        const hour = Math.floor(k.ts / HOUR) * HOUR;
        await Promise.all([
          redis.incr(`pv:${k.url}:${hour}`),
          redis.zincrby(`pvtop:${hour}`, 1, k.url),
          redis.pfadd(`uv:${k.url}:${hour}`, k.visitor),
        ]);
        counted++;
      } finally {
        done++;
        latencies.push(Date.now() - job.data.t);
        feeder.notify();
      }
    }, { connection, concurrency: BULLMQ_CONFIG.concurrency });
    worker.on('failed', (_job, err) => {
      failed++;
      firstError ||= err.message;
    });
    worker.on('error', (err) => {
      failed++;
      firstError ||= err.message;
    });
    stop = progress('bullmq-pageviews', 'events', () => done, () => feeder.addedCount - done, () => failed);

    const t0 = performance.now();
    await feeder.feed(events);
    await until(() => done >= events || failed > 0, 600_000, () => `bullmq-pageviews: ${done} of ${events} jobs done after 10 min`);
    const secs = (performance.now() - t0) / 1000;
    if (failed > 0) throw new Error(`bullmq-pageviews: ${failed} failed job(s), first: ${firstError}`);
    const stored = await storedPageviews(redis);
    if (stored !== counted) throw new Error(`bullmq-pageviews: Redis holds ${stored} pageviews, the jobs counted ${counted}`);
    return {
      name: 'bullmq-pageviews',
      config: {
        variant: `1 job/line, concurrency=${BULLMQ_CONFIG.concurrency}, addBulk=${BULLMQ_CONFIG.chunk}; pageviews+uniques only`,
        events,
        bullmq: BULLMQ_CONFIG,
      },
      tuplesPerSec: events / secs,
      latency: latencyOf(latencies),
      extra: { counted, rejected, skipped, seconds: secs, redisKeys: await redis.dbsize() },
    };
  } finally {
    stop();
    await worker?.close().catch(() => {});
    await queue.close().catch(() => {});
    redis.disconnect();
    await server.dispose();
    rmSync(tmp, { recursive: true, force: true });
  }
}
