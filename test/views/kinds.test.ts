/**
 * Every registered aggregation kind, end to end with exact values: written by the speed
 * layer (the Redis flush script and the in-process store) and read over buckets; written by
 * the batch layer from parts merged as a combine task merges them (packed through msgpack,
 * as they cross spills) and read through the serving layer; and a range answered half by a
 * batch version and half by the realtime view, merged by the kind. `max` is a kind of this
 * test only, registered from its one file (fixtures/max-kind.ts): a new kind needs nothing else.
 */
import { Redis } from 'ioredis';
import { pack, unpack } from 'msgpackr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchAggregate } from '../../src/batch/runner/aggregate.js';
import { writeCells } from '../../src/batch/runner/write.js';
import { swapPointer } from '../../src/serving/pointer.js';
import { ServingLayer } from '../../src/serving/query.js';
import { MemoryViewStore } from '../../src/speed/memory-store.js';
import { RedisViewStore } from '../../src/speed/redis-store.js';
import type { ViewStore } from '../../src/speed/store.js';
import { defineView, HOUR_MS, registerKind, registeredKinds, type Aggregation, type ViewUpdate, type ViewValue } from '../../src/views/index.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { maxKind } from './fixtures/max-kind.js';

registerKind(maxKind);

const H0 = Math.floor(Date.now() / HOUR_MS) * HOUR_MS - 2 * HOUR_MS;
const H1 = H0 + HOUR_MS;
const KEY = 'k/{1}';

type Amount = Pick<ViewUpdate, 'n' | 'member' | 'fields'>;

interface Case {
  readonly spec: Aggregation;
  /** Amounts per bucket, in arrival order. */
  readonly h0: readonly Amount[];
  readonly h1: readonly Amount[];
  /** A realtime H0 amount the merged answer must not see (the batch version answers H0). */
  readonly noise: Amount;
  readonly values: readonly [ViewValue, ViewValue];
  readonly total: ViewValue;
  /** The H0 cell's top score. */
  readonly score: number;
}

const CASES: Record<string, Case> = {
  count: { spec: { kind: 'count' }, h0: [{ n: 2 }, { n: 3 }], h1: [{ n: 4 }], noise: { n: 100 }, values: [5, 4], total: 9, score: 5 },
  sum: { spec: { kind: 'sum', field: 'b' }, h0: [{ n: 1.5 }, { n: 2.25 }], h1: [{ n: 0.5 }], noise: { n: 100 }, values: [3.75, 0.5], total: 4.25, score: 3.75 },
  // The union over the range, not the sum: c is in both hours.
  distinct: { spec: { kind: 'distinct', field: 'v' }, h0: [{ member: 'a' }, { member: 'b' }, { member: 'c' }, { member: 'a' }], h1: [{ member: 'c' }, { member: 'd' }], noise: { member: 'zz' }, values: [3, 2], total: 4, score: 3 },
  counters: {
    spec: { kind: 'counters', fields: ['visits', 'bounces'] },
    h0: [{ fields: { visits: 2, bounces: 1 } }, { fields: { visits: 1 } }], h1: [{ fields: { visits: 4, bounces: 4 } }], noise: { fields: { visits: 100 } },
    values: [{ visits: 3, bounces: 1 }, { visits: 4, bounces: 4 }], total: { visits: 7, bounces: 5 }, score: 3,
  },
  max: { spec: { kind: 'max' }, h0: [{ n: 3 }, { n: 7 }, { n: 5 }], h1: [{ n: 2 }], noise: { n: 100 }, values: [7, 2], total: 7, score: 7 },
};

let server: RedisServer;
let raw: Redis;
const stores: RedisViewStore[] = [];

beforeAll(async () => {
  server = await startRedis();
  raw = new Redis(server.url);
});

afterAll(async () => {
  for (const s of stores) await s.close();
  raw?.disconnect();
  await server?.dispose();
});

function redisStore(namespace: string): RedisViewStore {
  const s = RedisViewStore.open(server.url, { namespace });
  stores.push(s);
  return s;
}

const viewOf = (name: string, c: Case) => defineView({ name: `v-${name}`, aggregation: c.spec, timeOf: () => 0 });
const updates = (view: string, bucket: number, amounts: readonly Amount[]): ViewUpdate[] => amounts.map((a) => ({ view, key: KEY, bucket, ...a }));

async function expectValues(store: ViewStore, view: ReturnType<typeof viewOf>, c: Case): Promise<void> {
  const r = await store.values(view, KEY, [H0, H1]);
  expect(r.buckets.map((b) => b.value)).toEqual(c.values);
  expect(r.total).toEqual(c.total);
  expect(await store.top(view, [H0], 5)).toEqual([{ key: KEY, score: c.score }]);
}

it('has a case for every registered kind', () => {
  expect(Object.keys(CASES).sort()).toEqual(registeredKinds().map((k) => k.name).sort());
});

describe.each(Object.entries(CASES))('kind %s', (name, c) => {
  const view = viewOf(name, c);
  const all = [...updates(view.name, H0, c.h0), ...updates(view.name, H1, c.h1)];

  it('speed layer: Redis flush script and in-process store, read over buckets', async () => {
    const redis = redisStore(`speed-${name}`);
    // One update per flush as well as all in one: the script's per-cell merge and the store's agree.
    await redis.apply(all.slice(0, 1), [view]);
    await redis.apply(all.slice(1), [view]);
    await expectValues(redis, view, c);
    const memory = new MemoryViewStore();
    await memory.apply(all, [view]);
    await expectValues(memory, view, c);
    // Two threads' stores merged from snapshots (through msgpack, as they travel).
    const [a, b] = [new MemoryViewStore(), new MemoryViewStore()];
    await a.apply(all.filter((_, i) => i % 2 === 0), [view]);
    await b.apply(all.filter((_, i) => i % 2 === 1), [view]);
    const merged = new MemoryViewStore();
    merged.merge(unpack(pack(a.snapshot())), [view]);
    merged.merge(unpack(pack(b.snapshot())), [view]);
    await expectValues(merged, view, c);
  });

  it('batch layer: parts merged as a combine task does, written, read by the serving layer', async () => {
    const ns = `batch-${name}`;
    const parts = [new BatchAggregate(view.aggregation), new BatchAggregate(view.aggregation)];
    all.forEach((u, i) => parts[i % 2]!.add(u));
    const combined = new BatchAggregate(view.aggregation);
    for (const p of parts) for (const cell of p.cellsOf(() => true)) combined.addPartial(unpack(pack(p.partialOf(view.name, cell))));
    expect(await writeCells({ redis: { host: '127.0.0.1', port: server.port }, namespace: ns, batchId: 1 }, view, combined, () => true)).toBe(2);
    await swapPointer(raw, ns, view, 1, H1 + HOUR_MS);
    const serving = new ServingLayer(raw, ns);
    const r = await serving.query(view, KEY, [H0, H1]);
    expect(r.buckets.map((b) => [b.value, b.source])).toEqual([[c.values[0], 'batch'], [c.values[1], 'batch']]);
    expect(r.total).toEqual(c.total);
    expect((await serving.top(view, [H0], 5)).top).toEqual([{ key: KEY, score: c.score }]);
  });

  it('serving layer: a range half batch, half realtime, merged by the kind', async () => {
    const ns = `merge-${name}`;
    const batch = new BatchAggregate(view.aggregation);
    for (const u of updates(view.name, H0, c.h0)) batch.add(u);
    await writeCells({ redis: { host: '127.0.0.1', port: server.port }, namespace: ns, batchId: 7 }, view, batch, () => true);
    await swapPointer(raw, ns, view, 7, H0 + HOUR_MS);
    await redisStore(ns).apply([...updates(view.name, H0, [c.noise]), ...updates(view.name, H1, c.h1)], [view]);
    const r = await new ServingLayer(raw, ns).query(view, KEY, [H0, H1]);
    expect(r.buckets.map((b) => [b.value, b.source])).toEqual([[c.values[0], 'batch'], [c.values[1], 'realtime']]);
    expect(r.total).toEqual(c.total);
    expect(r.watermark).toBe(H0 + HOUR_MS);
  });
});
