/**
 * `topo produce <file|-> --stream NAME [--topology FILE] --format NAME`: appends events to a
 * Redis stream, checked with a format the topology module exports (input-format.ts; the work
 * is src/spouts/stream-produce.ts). Lines that do not parse are reported
 * with file and line and not appended. Exit codes: 0 done, 1 Redis or I/O failure, 2 bad usage.
 */
import { connectStream, streamTarget } from '../spouts/stream-connect.js';
import { produce, type ProduceStats } from '../spouts/stream-produce.js';
import { streamCheck } from '../batch/stream-check.js';
import { chooseInput } from './input-format.js';
import { durationFlag, intFlag, UsageError } from './options.js';
import { fmt } from './progress.js';
import { connectForCommand, tlsFlagsOf, type RedisTlsCliFlags } from './redis-flags.js';

export interface ProduceFlags extends RedisTlsCliFlags {
  stream?: string;
  format?: string;
  topology?: string;
  host?: string;
  chunk?: string;
  rejects?: string;
  redis?: string;
  redisCluster?: string[];
  redisTimeout?: string;
  json?: boolean;
  quiet?: boolean;
}

const SHOWN_REJECTS = 100;

export async function produceCommand(input: string, flags: ProduceFlags): Promise<number> {
  if (flags.stream === undefined || flags.stream === '') throw new UsageError('--stream NAME is required');
  const chunk = intFlag('chunk', flags.chunk, 1);
  const redisTimeoutMs = durationFlag('redis-timeout', flags.redisTimeout);
  const rejectsPath = flags.rejects ?? '.topo/rejects/produce.jsonl';
  const say = (s: string): void => {
    if (!flags.quiet) process.stderr.write(`${s}\n`);
  };
  // Before Redis: a wrong --format is bad usage whether or not Redis is there.
  const { format, dataset } = await chooseInput(flags);
  const conn = await connectForCommand({ tls: tlsFlagsOf(flags), ...(flags.redis !== undefined ? { url: flags.redis } : {}), ...(flags.redisCluster !== undefined ? { cluster: flags.redisCluster } : {}), ...(redisTimeoutMs !== undefined ? { redisTimeoutMs } : {}) });
  if (conn.mode === 'memory') {
    await conn.release();
    process.stderr.write('topo produce: no Redis: pass --redis URL (or set REDIS_URL), or install redis-server for the private one\n');
    return 1;
  }
  const client = connectStream(streamTarget(conn.config), { maxRetriesPerRequest: 3 });
  let shown = 0;
  let last = { lines: 0, at: Date.now() };
  let stats: ProduceStats;
  try {
    say(`[produce] ${input === '-' ? 'stdin' : input} -> stream '${flags.stream}' at ${conn.display}`);
    stats = await produce({
      client, input, stream: flags.stream, rejectsPath,
      ...streamCheck(format, dataset, flags.host !== undefined ? { host: flags.host } : {}),
      ...(chunk !== undefined ? { chunk } : {}),
      onReject: (r) => {
        if (shown < SHOWN_REJECTS) process.stderr.write(`topo produce: ${r.source}:${r.lineNumber}: ${r.reason} (not appended)\n`);
        else if (shown === SHOWN_REJECTS) process.stderr.write(`topo produce: more rejected lines: see ${rejectsPath}\n`);
        shown++;
      },
      onProgress: (s) => {
        const now = Date.now();
        const rate = ((s.lines - last.lines) * 1000) / Math.max(1, now - last.at);
        last = { lines: s.lines, at: now };
        say(`[produce] ${(s.elapsedMs / 1000).toFixed(0)}s ${fmt(s.lines)} lines (${fmt(rate)}/s) appended ${fmt(s.appended)} rejected ${s.rejected} duplicate ${s.duplicates}`);
      },
    });
  } catch (err) {
    process.stderr.write(`topo produce: ${(err as Error).message}\n`);
    return 1;
  } finally {
    client.disconnect();
    await conn.release();
  }
  const perSec = Math.round((stats.appended * 1000) / Math.max(1, stats.elapsedMs));
  if (flags.json) {
    process.stdout.write(JSON.stringify({ input, stream: flags.stream, ...stats, entriesPerSec: perSec, rejectsFile: stats.rejected > 0 ? rejectsPath : null }) + '\n');
  } else {
    process.stdout.write(
      `appended ${stats.appended} entries to stream '${flags.stream}' (${stats.firstId ?? '-'} .. ${stats.lastId ?? '-'}): ${stats.lines} lines, ` +
        `${stats.rejected} rejected${stats.rejected > 0 ? ` (see ${rejectsPath})` : ''}, ${stats.duplicates} duplicate, ${stats.skipped} blank, ${(stats.elapsedMs / 1000).toFixed(1)}s (${perSec} entries/s)\n`,
    );
  }
  return 0;
}
