/**
 * Checkpoints in Redis (Storm's RedisKeyValueStateProvider): one hash of key -> JSON per
 * task and a meta hash, both in one cluster slot. A commit is ONE Lua script: it checks
 * the epoch (fencing) and that the txid follows the last one, then writes the changed keys
 * and the new txid (an attempt number orders retries). Redis runs a script atomically, and
 * refuses it before its first write under OOM, so a checkpoint is in Redis entirely or not
 * at all. The changed keys (and the applied input ids, option idField, in a third hash)
 * travel as one msgpack argument: per-argument client work dominated otherwise.
 *
 * The applied ids are kept per checkpoint: field `<txid>` -> JSON array of the ids it applied,
 * dropped `retention` checkpoints later with one HDEL. A field per id cost Redis a field
 * written and later deleted per input (with the pageviews visitor bolt, most of its
 * checkpoints' cost). A hash of the previous shape (field `<id>` -> `<txid>`) is read the
 * same, and rewritten in this one by the first commit.
 */
import { clientReady, openClient, type RedisClient, type RedisTarget } from '../speed/redis-client.js';
import { Packr } from 'msgpackr';
import { FencedError, stateKeys, type Checkpoint, type CheckpointStore } from './checkpoint-store.js';
import type { IdSnapshot } from './applied-ids.js';
import type { Snapshot } from './task-state.js';

/** Plain msgpack (no record extension): Redis's cmsgpack decodes it. */
const packr = new Packr({ useRecords: false });

const OPEN_LUA = `
local e = redis.call('HINCRBY', KEYS[1], 'epoch', 1)
redis.call('HSET', KEYS[1], 'seq', 0)
local t = redis.call('HGET', KEYS[1], 'tasks')
if not t then
  redis.call('HSET', KEYS[1], 'tasks', ARGV[1])
  t = ARGV[1]
end
local x = redis.call('HGET', KEYS[1], 'txid') or '0'
return {e, t, x}
`;

const COMMIT_LUA = `
local meta, data, ids = KEYS[1], KEYS[2], KEYS[3]
local epoch = redis.call('HGET', meta, 'epoch')
if not epoch then return redis.error_reply('LOST the state is gone from Redis (flushed, expired, or a restart without persistence)') end
if epoch ~= ARGV[1] then return redis.error_reply('FENCED state claimed by another instance (epoch ' .. epoch .. ', ours ' .. ARGV[1] .. ')') end
-- The same txid again is the retry of a commit whose reply was lost: it landed, and this
-- snapshot holds its keys (with newer values) and more, so writing it is right.
local last = tonumber(redis.call('HGET', meta, 'txid') or '0')
local txid = tonumber(ARGV[2])
if txid ~= last + 1 and txid ~= last then return redis.error_reply('TXID checkpoint ' .. ARGV[2] .. ' does not follow the last committed one (' .. last .. ')') end
-- Attempts are numbered per instance: one that arrives after a later one (it was sent,
-- timed out, and reached Redis late) must not write its older values over newer ones.
if tonumber(ARGV[5]) <= tonumber(redis.call('HGET', meta, 'seq') or '0') then return redis.error_reply('STALE attempt ' .. ARGV[5]) end
local p = cmsgpack.unpack(ARGV[3])
-- unpack is bounded by Lua's C stack (about 8000 values): write in chunks (pairs stay whole).
local function hset(key, flat) for i = 1, #flat, 1000 do redis.call('HSET', key, unpack(flat, i, math.min(i + 999, #flat))) end end
local function hdel(key, list) for i = 1, #list, 1000 do redis.call('HDEL', key, unpack(list, i, math.min(i + 999, #list))) end end
hset(data, p[1])
hdel(data, p[2])
hdel(ids, p[5])
hset(ids, p[3])
hdel(ids, p[4])
redis.call('HSET', meta, 'txid', ARGV[2], 'committedAt', ARGV[4], 'seq', ARGV[5])
return 1
`;

export interface RedisCheckpointOptions {
  readonly namespace: string;
  readonly component: string;
  readonly taskIndex: number;
  readonly commandTimeoutMs?: number;
  /** How long `open` waits for Redis to be reachable (default 10 s). */
  readonly readyTimeoutMs?: number;
}

export class RedisCheckpointStore implements CheckpointStore {
  readonly kind = 'redis' as const;
  private readonly client: RedisClient;
  private readonly keys: { data: string; meta: string; ids: string };
  private epoch = '';
  private attempt = 0;
  /** Id fields of the previous shape, found at open: rewritten per checkpoint by the next commit. */
  private legacy: { fields: string[]; groups: Map<string, string[]> } | null = null;

  constructor(target: RedisTarget, private readonly o: RedisCheckpointOptions) {
    this.client = openClient(target, o.commandTimeoutMs !== undefined ? { commandTimeoutMs: o.commandTimeoutMs } : {});
    this.keys = stateKeys(o.namespace, o.component, o.taskIndex);
  }

  async open(tasks: number): Promise<Checkpoint> {
    await clientReady(this.client, this.o.readyTimeoutMs ?? 10_000);
    const [epoch, storedTasks, txid] = (await this.client.eval(OPEN_LUA, 1, this.keys.meta, String(tasks))) as [number, string, string];
    this.epoch = String(epoch);
    const entries = await this.scan(this.keys.data);
    const ids: Array<[string, string]> = [];
    const legacy = { fields: [] as string[], groups: new Map<string, string[]>() };
    for (const [field, value] of await this.scan(this.keys.ids)) {
      if (value.startsWith('[')) {
        for (const id of JSON.parse(value) as string[]) ids.push([id, field]);
        continue;
      }
      // The previous shape: field = id, value = txid.
      ids.push([field, value]);
      legacy.fields.push(field);
      const g = legacy.groups.get(value);
      if (g === undefined) legacy.groups.set(value, [field]);
      else g.push(field);
    }
    this.legacy = legacy.fields.length > 0 ? legacy : null;
    return { entries, ids, txid: Number(txid), tasks: Number(storedTasks) };
  }

  /** HSCAN rather than HGETALL: a large state is read in pieces, never blocking Redis for long. */
  private async scan(key: string): Promise<Array<[string, string]>> {
    const out = new Map<string, string>();
    let cursor = '0';
    do {
      const [next, flat] = await this.client.hscan(key, cursor, 'COUNT', 1000);
      for (let i = 0; i + 1 < flat.length; i += 2) out.set(flat[i]!, flat[i + 1]!);
      cursor = next;
    } while (cursor !== '0');
    return [...out];
  }

  async commit(txid: number, s: Snapshot, ids: IdSnapshot | null): Promise<void> {
    const groups: string[] = [];
    const drops: string[] = [];
    const legacy = this.legacy;
    if (ids !== null) {
      if (ids.fresh.length > 0) groups.push(String(txid), JSON.stringify(ids.fresh));
      for (const t of ids.dropped) drops.push(String(t));
    }
    if (legacy !== null) {
      const dropped = new Set(drops);
      for (const [t, list] of legacy.groups) if (!dropped.has(t)) groups.push(t, JSON.stringify(list));
    }
    const packed = packr.pack([s.puts, s.deletes, groups, drops, legacy?.fields ?? []]);
    try {
      await this.client.eval(COMMIT_LUA, 3, this.keys.meta, this.keys.data, this.keys.ids, this.epoch, String(txid), packed, String(Date.now()), String(++this.attempt));
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      if (msg.startsWith('FENCED ') || msg.startsWith('LOST ')) throw new FencedError(msg.slice(msg.indexOf(' ') + 1));
      throw err;
    }
    this.legacy = null;
  }

  async close(): Promise<void> {
    try {
      await this.client.quit();
    } catch {
      this.client.disconnect();
    }
  }
}
