/**
 * `topo trim --stream NAME [--dry-run]`: removes the entries every consumer group is done
 * with (src/spouts/stream-trim.ts), never one a group still holds or has not read.
 * Exit codes: 0 trimmed (or nothing to trim), 1 refused or Redis failure, 2 bad usage.
 */
import { connectStream, streamTarget } from '../spouts/stream-connect.js';
import { safeTrim, TrimRefused, type TrimResult } from '../spouts/stream-trim.js';
import { durationFlag, UsageError } from './options.js';
import { connectForCommand, tlsFlagsOf, type RedisTlsCliFlags } from './redis-flags.js';

export interface TrimFlags extends RedisTlsCliFlags {
  stream?: string;
  dryRun?: boolean;
  redis?: string;
  redisCluster?: string[];
  redisTimeout?: string;
  json?: boolean;
}

export async function trimCommand(flags: TrimFlags): Promise<number> {
  if (flags.stream === undefined || flags.stream === '') throw new UsageError('--stream NAME is required');
  const redisTimeoutMs = durationFlag('redis-timeout', flags.redisTimeout);
  const conn = await connectForCommand({ tls: tlsFlagsOf(flags), ...(flags.redis !== undefined ? { url: flags.redis } : {}), ...(flags.redisCluster !== undefined ? { cluster: flags.redisCluster } : {}), ...(redisTimeoutMs !== undefined ? { redisTimeoutMs } : {}) });
  if (conn.mode === 'memory') {
    await conn.release();
    process.stderr.write('topo trim: no Redis: pass --redis URL (or set REDIS_URL)\n');
    return 1;
  }
  const client = connectStream(streamTarget(conn.config), { maxRetriesPerRequest: 3 });
  let r: TrimResult;
  try {
    r = await safeTrim(client, flags.stream, flags.dryRun === true);
  } catch (err) {
    process.stderr.write(`topo trim: ${err instanceof TrimRefused ? '' : 'failed: '}${(err as Error).message}\n`);
    return 1;
  } finally {
    client.disconnect();
    await conn.release();
  }
  if (flags.json) {
    process.stdout.write(JSON.stringify({ stream: flags.stream, dryRun: flags.dryRun === true, ...r }) + '\n');
    return 0;
  }
  for (const g of r.groups) {
    process.stdout.write(`  group ${g.group}: last delivered ${g.lastDeliveredId}, ${g.pending} pending${g.oldestPending ? ` (oldest ${g.oldestPending})` : ''}, needs ${g.keepFrom} and after\n`);
  }
  const [most, least] = r.approximate ? ['at most ', 'at least '] : ['', ''];
  const what = flags.dryRun ? `would remove ${most}${r.removed} entries below ${r.minId}; ${least}${r.length} entries would be left` : `removed ${r.removed} entries below ${r.minId}; ${r.length} entries left`;
  process.stdout.write(`stream '${flags.stream}': ${what}\n`);
  return 0;
}
