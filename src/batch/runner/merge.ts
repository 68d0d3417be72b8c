/**
 * How reduce tasks write the cells of a view that several reducers may share (a reducer view
 * such as bounces, or a plain view not partitioned by its own key; see write.ts for views with
 * one writer per cell). One view cell (URL, hour) may get parts from several reducers: every
 * write is therefore a merge, the view's own monoid on the Redis side
 * (INCRBYFLOAT for count and sum, PFADD for distinct, HINCRBY for counters), and the cell's
 * top-ZSET score is kept with it in the same script (ZINCRBY, or for distinct the PFCOUNT
 * after the PFADD: scripts run one at a time, so the last one to touch a cell leaves its final
 * count). A script applies a few thousand cells, so the per-command cost stays small.
 *
 * Nothing here is visible to queries: the version is only read once its pointer is swapped,
 * after every reducer has finished.
 */
import type { Redis } from 'ioredis';
import { batchBucketsKey, batchPrefix, keysKey, topKey, valueKey, viewPrefix } from '../../views/keys.js';
import type { Aggregation } from '../../views/view.js';
import { membersOf, type Cell } from './aggregate.js';
import { clientOf, type VersionTarget } from './target.js';

/** ARGV: kind, keys index, buckets index, then per cell: value key, top key, key, bucket, n, n payload items. */
const SCRIPT = `
local kind, kidx, bidx = ARGV[1], ARGV[2], ARGV[3]
local i, created = 4, 0
while i <= #ARGV do
  local vk, tk, key, bucket, n = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], tonumber(ARGV[i + 4])
  local p = i + 5
  i = p + n
  if redis.call('EXISTS', vk) == 0 then
    created = created + 1
    redis.call('ZADD', bidx, bucket, bucket)
  end
  if kind == 'distinct' then
    redis.call('PFADD', vk, unpack(ARGV, p, i - 1))
    redis.call('ZADD', tk, redis.call('PFCOUNT', vk), key)
  elseif kind == 'counters' then
    for j = p, i - 1, 2 do redis.call('HINCRBY', vk, ARGV[j], ARGV[j + 1]) end
    redis.call('ZADD', tk, redis.call('HGET', vk, ARGV[p]) or 0, key)
  else
    redis.call('INCRBYFLOAT', vk, ARGV[p])
    redis.call('ZINCRBY', tk, ARGV[p], key)
  end
  redis.call('ZADD', kidx, 'GT', bucket, key)
end
return created
`;

type Client = Redis & { topoBatchWrite(...args: string[]): Promise<number> };

const define = (c: Redis): void => {
  if (!('topoBatchWrite' in c)) c.defineCommand('topoBatchWrite', { numberOfKeys: 0, lua: SCRIPT });
};

/**
 * Arguments per script call, and scripts in flight per reducer. A script holds Redis for its
 * whole run: at 6,000 arguments they took 8-80 ms (SLOWLOG) and queries served meanwhile saw
 * their p99 rise 2-4x; 1,500 keeps each call short at a small cost in round trips.
 */
const ARGS = 1500;
const IN_FLIGHT = 4;
const MEMBERS = 1000;

/** Merge `cells` into the view's batch version; returns how many cells did not exist yet. */
export async function mergeCells(t: VersionTarget, view: { name: string; version: number; aggregation: Aggregation }, cells: Iterable<Cell>): Promise<number> {
  const redis = clientOf(t, define) as Client;
  const bp = batchPrefix(viewPrefix(t.namespace, view), t.batchId);
  const kind = view.aggregation.kind === 'distinct' ? 'distinct' : view.aggregation.kind === 'counters' ? 'counters' : 'sum';
  const firstField = view.aggregation.kind === 'counters' ? view.aggregation.fields[0]! : '';
  const head = [kind, keysKey(bp), batchBucketsKey(bp)];
  const pending: Array<Promise<number>> = [];
  let created = 0;
  let args = [...head];
  const send = async (): Promise<void> => {
    if (args.length === head.length) return;
    const call = redis.topoBatchWrite(...args);
    // Observed at once: when an earlier call's failure is thrown, this one's must not go unhandled.
    call.catch(() => {});
    pending.push(call);
    args = [...head];
    if (pending.length >= IN_FLIGHT) created += await pending.shift()!;
  };
  for (const c of cells) {
    const vk = valueKey(bp, c.key, c.bucket);
    const tk = topKey(bp, c.bucket);
    const b = String(c.bucket);
    if (kind === 'distinct') {
      const all = [...membersOf(c)];
      for (let i = 0; i < all.length; i += MEMBERS) {
        const part = all.slice(i, i + MEMBERS);
        args.push(vk, tk, c.key, b, String(part.length), ...part);
        if (args.length >= ARGS) await send();
      }
    } else if (c.fields !== null) {
      // The first counter goes first: the script scores the top ZSET by it.
      const names = [firstField, ...Object.keys(c.fields).filter((f) => f !== firstField)];
      const payload = names.flatMap((f) => [f, String(c.fields![f] ?? 0)]);
      args.push(vk, tk, c.key, b, String(payload.length), ...payload);
    } else args.push(vk, tk, c.key, b, '1', String(c.n));
    if (args.length >= ARGS) await send();
  }
  await send();
  for (const p of pending) created += await p;
  return created;
}
