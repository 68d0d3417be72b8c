/**
 * Realtime views in Redis or a Redis Cluster, by the key schema of src/views/keys.ts. A
 * flush is one EVALSHA of the flush script (apply-lua.ts) on one Redis, one per slot and then one per view on
 * a cluster (see flush-calls.ts); reads are a handful of commands in one pipeline, each read
 * within one slot (a key's buckets share `{<view>:<key>}`, a view's top ZSETs `{<view>}`).
 */
import { Cluster, type RedisOptions } from 'ioredis';
import type { ViewUpdate } from '../views/view.js';
import { lateKey, topKey, viewPrefix } from '../views/keys.js';
import { queueKeysRead } from './read-keys.js';
import { flushScript, encodeFlush, groupUpdates, type EncodedFlush, type FlushCells, type ValueRecord } from './apply-script.js';
import { FlushProgress, packRecords, singleCall, slotCalls, viewCalls, type ScriptCall, type ScriptReply } from './flush-calls.js';
import { clientReady, openClient, type RedisClient, type RedisTarget } from './redis-client.js';
import { viewIndex, type ApplyResult, type StoreView, type TopEntry, type ViewStore, type ViewValues } from './store.js';
import { withScores } from './redis-replies.js';
import { queueBucketsRead } from './read-buckets.js';
import { CoverageRecorder } from './realtime-coverage.js';

export interface RedisStoreOptions {
  /** Key namespace (the topology name unless set). */
  readonly namespace: string;
  /** A flush or read that gets no reply within this long fails (and the writer retries it). Default 10 s. */
  readonly commandTimeoutMs?: number;
  /** Extra ioredis options (tests, TLS settings). */
  readonly redisOptions?: RedisOptions;
}

/** Script calls made, for tests and diagnostics: a flush on a cluster makes one per slot plus one per view. */
export interface StoreCallStats {
  scriptCalls: number;
  flushes: number;
}

/** Realtime views in one Redis or a cluster. Create with `RedisViewStore.open(url | {cluster}, options)`. */
export class RedisViewStore implements ViewStore {
  readonly kind = 'redis' as const;
  readonly stats: StoreCallStats = { scriptCalls: 0, flushes: 0 };
  private everReady = false;
  /** The script loaded on the server(s), by SHA: a kind registered later makes a new script. */
  private loaded: { sha: string; done: Promise<void> } | null = null;
  /** The buckets this store's flushes vouch for (what a missing cell there means: 0, not a hole). */
  private readonly coverage: CoverageRecorder;

  private constructor(readonly redis: RedisClient, private readonly namespace: string) {
    this.coverage = new CoverageRecorder(namespace);
  }

  /**
   * Connect to `target`: a URL (redis:// or rediss://, user and password in the URL) or
   * `{ cluster: [urls] }`. The client reconnects by itself after an outage; commands issued
   * while it is disconnected fail at once instead of queueing, so the writer bolt sees the
   * outage and holds its tuples.
   */
  static open(target: string | RedisTarget, options: RedisStoreOptions): RedisViewStore {
    const t: RedisTarget = typeof target === 'string' ? { url: target } : target;
    const redis = openClient(t, {
      ...(options.commandTimeoutMs !== undefined ? { commandTimeoutMs: options.commandTimeoutMs } : {}),
      ...(options.redisOptions !== undefined ? { redisOptions: options.redisOptions } : {}),
    });
    const store = new RedisViewStore(redis, options.namespace);
    redis.once('ready', () => (store.everReady = true));
    return store;
  }

  get cluster(): boolean {
    return this.redis instanceof Cluster;
  }

  /**
   * Before the first connection, wait for it (a fresh store can be used at once); after
   * that, commands fail fast during an outage, which is what the writer's retries rely on.
   */
  private async first(): Promise<void> {
    if (!this.everReady && this.redis.status !== 'ready') await this.ready();
  }

  /** Resolves once connected (or rejects on the first error before that). */
  async ready(): Promise<void> {
    await clientReady(this.redis);
  }

  /**
   * Apply a flush. `progress` is kept by the caller across retries of the same flush: on a
   * cluster, the slot and view calls that already succeeded are not sent again.
   */
  async apply(updates: readonly ViewUpdate[], views: readonly StoreView[], late: Readonly<Record<string, number>> = {}, progress = new FlushProgress()): Promise<ApplyResult> {
    const byName = viewIndex(updates, views);
    return this.applyEncoded(encodeFlush(groupUpdates(updates, byName), byName, this.namespace, late, Date.now(), this.cluster), updates.length, progress);
  }

  /** {@link apply} of updates the caller already grouped by cell (the writer's FlushBatch); `count` updates in all. */
  async applyCells(cells: FlushCells, count: number, views: readonly StoreView[], late: Readonly<Record<string, number>> = {}, progress = new FlushProgress()): Promise<ApplyResult> {
    const byName = new Map<string, StoreView>();
    for (const v of views) byName.set(v.name, v);
    for (const v of cells.keys()) {
      if (byName.get(v.name) !== v) throw new Error(`update for unknown view '${v.name}' (known: ${[...byName.keys()].join(', ') || 'none'})`);
    }
    return this.applyEncoded(encodeFlush(cells, byName, this.namespace, late, Date.now(), this.cluster), count, progress);
  }

  private async applyEncoded(enc: EncodedFlush, count: number, progress: FlushProgress): Promise<ApplyResult> {
    if (enc.records.length === 0 && enc.views.size === 0) return { applied: 0, skipped: 0 };
    await this.first();
    this.stats.flushes++;
    // Before the cells: a flush that fails after it is retried, and the entry is idempotent.
    await this.coverage.record(this.redis, enc.records);
    if (!this.cluster) {
      const reply = await this.evalFlush(singleCall(enc)!);
      const skipped = reply[0] + enc.duplicates;
      return { applied: count - skipped, skipped };
    }
    const slots = slotCalls(enc);
    await this.runAll(slots, progress, 'slot');
    const scores = new Map<ValueRecord, Array<string | number>>();
    // Copies of an event within this flush were dropped by the encoder: skipped like replays.
    let skipped = enc.duplicates;
    for (const call of slots) {
      const reply = progress.done.get(call.id)!;
      skipped += reply[0];
      let i = 1;
      for (const r of call.scored) {
        scores.set(r, reply.slice(i, i + r.scored!.length) as Array<string | number>);
        i += r.scored!.length;
      }
    }
    await this.runAll(viewCalls(enc, this.namespace, scores), progress, 'view');
    return { applied: count - skipped, skipped };
  }

  /** Send the calls not yet done, in parallel; record each success; throw if any failed. */
  private async runAll(calls: readonly ScriptCall[], progress: FlushProgress, what: string): Promise<void> {
    const todo = calls.filter((c) => !progress.done.has(c.id));
    const results = await Promise.allSettled(todo.map(async (c) => progress.done.set(c.id, await this.evalFlush(c))));
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed.length > 0) {
      const why = failed[0]!.reason instanceof Error ? failed[0]!.reason.message : String(failed[0]!.reason);
      throw new Error(`${failed.length} of ${calls.length} ${what} calls failed (${calls.length - failed.length} applied, not resent on retry): ${why}`);
    }
  }

  /** EVALSHA; after a Redis restart (or on a node that never saw it) the script cache is empty (NOSCRIPT): EVAL loads it. */
  private async evalFlush(call: ScriptCall): Promise<ScriptReply> {
    const { lua, sha } = flushScript();
    if (this.loaded?.sha !== sha) this.loaded = { sha, done: this.loadScript(lua) };
    await this.loaded.done;
    this.stats.scriptCalls++;
    // Records packed in one msgpack argument (see apply-lua.ts); keys only route a cluster call.
    const args: Array<string | number | Buffer> = [sha, call.keys.length, ...call.keys, 'P', packRecords(call.records)];
    try {
      return (await this.redis.call('EVALSHA', args)) as ScriptReply;
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return (await this.redis.call('EVAL', [lua, ...args.slice(1)])) as ScriptReply;
    }
  }

  /** Load the script on the server, or on every master of a cluster (best effort: NOSCRIPT is handled per call). */
  private async loadScript(lua: string): Promise<void> {
    const targets = this.redis instanceof Cluster ? this.redis.nodes('master') : [this.redis];
    await Promise.all(targets.map((r) => r.script('LOAD', lua).catch(() => undefined)));
  }

  async values(view: StoreView, key: string, buckets: readonly number[]): Promise<ViewValues> {
    await this.first();
    const p = viewPrefix(this.namespace, view);
    const pipe = this.redis.pipeline();
    const parse = queueBucketsRead(pipe, view, key, buckets.map((bucket) => ({ prefix: p, bucket })));
    const { values, total } = parse(pipe.length === 0 ? [] : await execPipeline(pipe));
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
    const pipe = this.redis.pipeline();
    const parse = await queueKeysRead(this.redis, pipe, viewPrefix(this.namespace, view), null);
    return parse(pipe.length === 0 ? [] : await execPipeline(pipe));
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

async function execPipeline(pipe: ReturnType<RedisClient['pipeline']>): Promise<unknown[]> {
  const res = (await pipe.exec()) ?? [];
  return res.map(([err, v]) => {
    if (err) throw err;
    return v;
  });
}
