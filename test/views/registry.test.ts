/**
 * The registry of aggregation kinds: a view naming an unknown kind or a malformed spec fails
 * defineView naming the view; kinds are registered once by a well-formed name; and a kind
 * registered after a store's first flush reaches Redis, because the flush script is rebuilt
 * from the registry (its new SHA is loaded on the next flush).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { RedisViewStore } from '../../src/speed/redis-store.js';
import { defineView, HOUR_MS, kindOf, registerKind, registeredKinds, type AggregationKind } from '../../src/views/index.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { maxKind } from './fixtures/max-kind.js';

let server: RedisServer;
let store: RedisViewStore;

beforeAll(async () => {
  server = await startRedis();
  store = RedisViewStore.open(server.url, { namespace: 'reg' });
});

afterAll(async () => {
  await store?.close();
  await server?.dispose();
});

const H0 = Math.floor(Date.now() / HOUR_MS) * HOUR_MS - HOUR_MS;

it('defineView refuses an unknown kind, listing the registered ones, and a spec its kind refuses', () => {
  expect(() => defineView({ name: 'v', aggregation: { kind: 'median' } as never, timeOf: () => 0 })).toThrow(
    "unknown aggregation kind 'median' (registered: count, sum, distinct, counters)",
  );
  expect(() => defineView({ name: 'v', aggregation: { kind: 'sum', field: '' }, timeOf: () => 0 })).toThrow("view 'v': sum needs a field");
  expect(() => defineView({ name: 'v', aggregation: { kind: 'counters', fields: [] }, timeOf: () => 0 })).toThrow("view 'v': counters needs at least one field");
  expect(() => defineView({ name: 'v', aggregation: undefined as never, timeOf: () => 0 })).toThrow("view 'v': aggregation must be an object with a kind");
});

it('registers a kind once, by a name the flush script can carry', () => {
  const count = kindOf('count');
  registerKind(count); // the same object again: a no-op
  expect(kindOf('count')).toBe(count);
  expect(() => registerKind({ ...maxKind, name: 'count' } as AggregationKind)).toThrow("aggregation kind 'count' is already registered");
  expect(() => registerKind({ ...maxKind, name: 'l' } as AggregationKind)).toThrow(/kind name 'l' must match/);
  expect(() => registerKind({ ...maxKind, name: 'Max' } as AggregationKind)).toThrow(/kind name 'Max' must match/);
});

it('a kind registered after a store has flushed is applied by the rebuilt script', async () => {
  const hits = defineView({ name: 'hits', aggregation: { kind: 'count' }, timeOf: () => 0 });
  await store.apply([{ view: 'hits', key: '/a', bucket: H0, n: 2 }], [hits]);
  expect(store.stats.scriptCalls).toBe(1);
  registerKind(maxKind);
  registerKind(maxKind); // the same object again: a no-op
  expect(registeredKinds().map((k) => k.name)).toEqual(['count', 'sum', 'distinct', 'counters', 'max']);
  const peak = defineView({ name: 'peak', aggregation: { kind: 'max' }, timeOf: () => 0 });
  await store.apply([{ view: 'peak', key: '/a', bucket: H0, n: 4 }, { view: 'peak', key: '/a', bucket: H0, n: 9 }, { view: 'hits', key: '/a', bucket: H0, n: 1 }], [hits, peak]);
  await store.apply([{ view: 'peak', key: '/a', bucket: H0, n: 6 }], [peak]);
  expect((await store.values(peak, '/a', [H0])).total).toBe(9);
  expect((await store.values(hits, '/a', [H0])).total).toBe(3);
});

