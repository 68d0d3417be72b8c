/**
 * The batch pointer of a view: which batch version is current and what it covers. It is a
 * small HASH, changed only by the scripts below, so a publish or a rollback is one atomic
 * step: a query reads the old version or the new one, never a mix. The previous version is
 * kept (with its coverage) for `topo batch --rollback VIEW`.
 */
import type { RedisClient } from '../speed/redis-client.js';
import { batchPointerKey, viewPrefix } from '../views/keys.js';
import type { ViewDef } from '../views/view.js';

export interface BatchPointer {
  /** Current batch id. */
  readonly current: number;
  /** Buckets ending at or before this (epoch ms) are answered by the batch view. */
  readonly watermark: number;
  readonly previous: number | null;
  readonly previousWatermark: number | null;
  readonly publishedAt: number;
}

type ViewId = Pick<ViewDef, 'name' | 'version'>;

export function pointerKey(namespace: string, view: ViewId): string {
  return batchPointerKey(viewPrefix(namespace, view));
}

/** Parse HGETALL of a pointer; null when the view has no batch version yet. */
export function parsePointer(h: Record<string, string> | null | undefined): BatchPointer | null {
  if (!h || h['current'] === undefined) return null;
  const num = (s: string | undefined): number | null => (s === undefined || s === '' ? null : Number(s));
  return {
    current: Number(h['current']),
    watermark: Number(h['watermark']),
    previous: num(h['previous']),
    previousWatermark: num(h['previousWatermark']),
    publishedAt: Number(h['publishedAt'] ?? 0),
  };
}

export async function readPointer(redis: RedisClient, namespace: string, view: ViewId): Promise<BatchPointer | null> {
  return parsePointer(await redis.hgetall(pointerKey(namespace, view)));
}

/** Make ARGV[1] current (coverage ARGV[2]); the current one becomes previous. Returns the pointer before. */
const SWAP_LUA = `
local before = redis.call('HGETALL', KEYS[1])
local cur = redis.call('HGET', KEYS[1], 'current')
if cur then
  redis.call('HSET', KEYS[1], 'previous', cur, 'previousWatermark', redis.call('HGET', KEYS[1], 'watermark'))
else
  redis.call('HDEL', KEYS[1], 'previous', 'previousWatermark')
end
redis.call('HSET', KEYS[1], 'current', ARGV[1], 'watermark', ARGV[2], 'publishedAt', ARGV[3])
return before
`;

/** Make previous current again; there is then no previous. Returns the pointer before, or an error reply. */
const ROLLBACK_LUA = `
local prev = redis.call('HGET', KEYS[1], 'previous')
if not prev or prev == '' then return redis.error_reply('NOPREVIOUS') end
local before = redis.call('HGETALL', KEYS[1])
redis.call('HSET', KEYS[1], 'current', prev, 'watermark', redis.call('HGET', KEYS[1], 'previousWatermark'), 'publishedAt', ARGV[1])
redis.call('HDEL', KEYS[1], 'previous', 'previousWatermark')
return before
`;

function pairs(reply: unknown): Record<string, string> {
  const r = reply as string[];
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < r.length; i += 2) out[r[i]!] = r[i + 1]!;
  return out;
}

/** Publish `batchId` covering up to `watermark`; returns the pointer it replaced (null on the first publish). */
export async function swapPointer(redis: RedisClient, namespace: string, view: ViewId, batchId: number, watermark: number): Promise<BatchPointer | null> {
  const before = await redis.eval(SWAP_LUA, 1, pointerKey(namespace, view), String(batchId), String(watermark), String(Date.now()));
  return parsePointer(pairs(before));
}

/** A rollback asked for with nothing to roll back to (a user error, not a crash). */
export class NoPreviousVersionError extends Error {}

/** Roll back to the previous version; throws when there is none. Returns the pointer it replaced. */
export async function rollbackPointer(redis: RedisClient, namespace: string, view: ViewId): Promise<BatchPointer> {
  try {
    const before = await redis.eval(ROLLBACK_LUA, 1, pointerKey(namespace, view), String(Date.now()));
    return parsePointer(pairs(before))!;
  } catch (err) {
    if ((err as Error).message.includes('NOPREVIOUS')) throw new NoPreviousVersionError(`view '${view.name}' has no previous batch version to roll back to`);
    throw err;
  }
}
