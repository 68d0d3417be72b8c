/**
 * Realtime views in Redis, by the key schema of src/views/keys.ts. Each flush is one
 * EVALSHA of APPLY_FLUSH_LUA (see apply-script.ts for why a single script); reads are a
 * handful of commands in one pipeline.
 */
import { createHash } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import type { ViewUpdate } from '../views/view.js';
import { keysKey, lateKey, topKey, valueKey, viewPrefix } from '../views/keys.js';
import { APPLY_FLUSH_LUA, encodeFlush } from './apply-script.js';
import { redisOptionsFromUrl } from './redis-url.js';
import { addValues, viewIndex, zeroValue, type ApplyResult, type StoreView, type TopEntry, type ViewStore, type ViewValue, type ViewValues } from './store.js';
import { numbers, withScores } from './redis-replies.js';

export interface RedisStoreOptions {
  /** Key namespace (the topology name unless set). */
  readonly namespace: string;
  /** A flush or read that gets no reply within this long fails (and the writer retries it). Default 10 s. */
  readonly commandTimeoutMs?: number;
  /** Extra ioredis options (tests, TLS settings). */
  readonly redisOptions?: RedisOptions;
}

const SHA = createHash('sha1').update(APPLY_FLUSH_LUA).digest('hex');

/** Realtime views in one Redis. Create with `RedisViewStore.open(url, options)`. */
export class RedisViewStore implements ViewStore {
  readonly kind = 'redis' as const;
  private loaded = false;
  private everReady = false;

  private constructor(readonly redis: Redis, private readonly namespace: string) {}

  /**
   * Connect to `url` (redis:// or rediss://, user and password in the URL). The client
   * reconnects by itself after an outage; commands issued while it is disconnected fail at
   * once instead of queueing, so the writer bolt sees the outage and holds its tuples.
   */
  static open(url: string, options: RedisStoreOptions): RedisViewStore {
    const redis = new Redis({
      ...redisOptionsFromUrl(url),
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: options.commandTimeoutMs ?? 10_000,
      // Reconnect forever, at most every 1 s: an outage ends when Redis is back.
      retryStrategy: (times) => Math.min(50 * times, 1000),
      ...options.redisOptions,
    });
    // Errors surface through the failed commands; without a listener ioredis logs each one.
    redis.on('error', () => {});
    const store = new RedisViewStore(redis, options.namespace);
    redis.once('ready', () => (store.everReady = true));
    return store;
  }

  /**
   * Before the first connection, wait for it (a fresh store can be used at once); after
   * that, commands fail fast during an outage, which is what the writer's retries rely on.
   */
  private async first(): Promise<void> {
    if (!this.everReady && this.redis.status !== 'ready') await this.ready();
  }

  /** Resolves once connected (or rejects on the first error if `lazy` connection fails). */
  async ready(): Promise<void> {
    if (this.redis.status === 'ready') return;
    await new Promise<void>((resolve, reject) => {
      const ok = (): void => {
        this.redis.off('error', ko);
        resolve();
      };
      const ko = (err: unknown): void => {
        this.redis.off('ready', ok);
        reject(err instanceof Error ? err : new Error(String(err)));
      };
      this.redis.once('ready', ok);
      this.redis.once('error', ko);
    });
  }

  async apply(updates: readonly ViewUpdate[], views: readonly StoreView[], late: Readonly<Record<string, number>> = {}): Promise<ApplyResult> {
    const byName = viewIndex(updates, views);
    const { keys, argv } = encodeFlush(updates, byName, this.namespace, late, Date.now());
    if (argv.length === 0) return { applied: 0, skipped: 0 };
    await this.first();
    const skipped = Number(await this.evalFlush(keys, argv));
    return { applied: updates.length - skipped, skipped };
  }

  /** EVALSHA; after a Redis restart the script cache is empty (NOSCRIPT): EVAL loads it again. */
  private async evalFlush(keys: string[], argv: string[]): Promise<unknown> {
    if (!this.loaded) {
      await this.redis.script('LOAD', APPLY_FLUSH_LUA);
      this.loaded = true;
    }
    try {
      return await this.redis.call('EVALSHA', [SHA, keys.length, ...keys, ...argv]);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return await this.redis.call('EVAL', [APPLY_FLUSH_LUA, keys.length, ...keys, ...argv]);
    }
  }

  async values(view: StoreView, key: string, buckets: readonly number[]): Promise<ViewValues> {
    await this.first();
    const p = viewPrefix(this.namespace, view);
    const vkeys = buckets.map((b) => valueKey(p, key, b));
    const kind = view.aggregation.kind;
    const pipe = this.redis.pipeline();
    if (kind === 'counters') for (const k of vkeys) pipe.hgetall(k);
    else if (kind === 'distinct') {
      for (const k of vkeys) pipe.pfcount(k);
      // PFCOUNT of several keys counts their union without storing it (one slot: same hash tag).
      if (vkeys.length > 0) pipe.pfcount(...vkeys);
    } else if (vkeys.length > 0) pipe.mget(...vkeys);
    const replies = vkeys.length === 0 ? [] : await execPipeline(pipe);
    let values: ViewValue[];
    let total: ViewValue = zeroValue(view);
    if (kind === 'counters') {
      values = replies.map((r) => addValues(zeroValue(view), numbers(r as Record<string, string>)));
    } else if (kind === 'distinct') {
      values = replies.slice(0, vkeys.length).map(Number);
      total = vkeys.length > 0 ? Number(replies[vkeys.length]) : 0;
      return { buckets: buckets.map((bucket, i) => ({ bucket, value: values[i]! })), total };
    } else {
      values = ((replies[0] ?? []) as Array<string | null>).map((s) => (s === null ? 0 : Number(s)));
    }
    for (const v of values) total = addValues(total, v);
    return { buckets: buckets.map((bucket, i) => ({ bucket, value: values[i]! })), total };
  }

  async top(view: StoreView, buckets: readonly number[], n: number): Promise<TopEntry[]> {
    if (buckets.length === 0 || n <= 0) return [];
    await this.first();
    const p = viewPrefix(this.namespace, view);
    if (buckets.length === 1) {
      return withScores(await this.redis.call('ZRANGE', [topKey(p, buckets[0]!), 0, n - 1, 'REV', 'WITHSCORES']));
    }
    // ZUNION has no LIMIT: the union comes back ascending and the top n are cut here.
    const tks = buckets.map((b) => topKey(p, b));
    return withScores(await this.redis.call('ZUNION', [tks.length, ...tks, 'WITHSCORES'])).reverse().slice(0, n);
  }

  async keys(view: StoreView): Promise<string[]> {
    await this.first();
    return this.redis.zrevrange(keysKey(viewPrefix(this.namespace, view)), 0, -1);
  }

  async late(view: StoreView): Promise<number> {
    await this.first();
    return Number((await this.redis.get(lateKey(viewPrefix(this.namespace, view)))) ?? 0);
  }

  async close(): Promise<void> {
    try {
      await this.redis.quit();
    } catch {
      this.redis.disconnect();
    }
  }
}

async function execPipeline(pipe: ReturnType<Redis['pipeline']>): Promise<unknown[]> {
  const res = (await pipe.exec()) ?? [];
  return res.map(([err, v]) => {
    if (err) throw err;
    return v;
  });
}
