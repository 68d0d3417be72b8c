// packRecords: a flush's records as one msgpack value, decoded by Redis's own cmsgpack in the
// apply script. Checked against a real redis-server: every string header size, non-ASCII
// strings, numbers beyond 32 bits and fractions, false, nested arrays; and a whole flush.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { Unpackr } from 'msgpackr';
import { packRecords } from '../../src/speed/flush-calls.js';
import { RedisViewStore } from '../../src/speed/redis-store.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { HOUR_MS, defineView } from '../../src/views/view.js';

const records = [
  ['count', 1, '1764800000000', 'tk', 'kidx', '0', false, '', '', '', ['', 'k', '1', 'x'.repeat(31), 'y'.repeat(32), 'a'.repeat(255), 'b'.repeat(256), 'c'.repeat(65_535), 'z'.repeat(70_000)]],
  ['distinct', 2, '1', 'tk', 'kidx', '3600000', true, 'h:{v:', '}:t', 'first', ['/caf\u00e9', false, 2, 'm\u00fcller', '/\u{1f600}']],
  ['l', 'late', 7],
  ['k', 'kidx', '-42'],
  [0, 1, 127, 128, 65_536, 2 ** 32 + 1, 1_764_800_000_000, -5, 0.1, 1e300],
];

let server: RedisServer;
let raw: Redis;

beforeAll(async () => {
  server = await startRedis();
  raw = new Redis(server.url);
});

afterAll(async () => {
  raw?.disconnect();
  await server?.dispose();
});

describe('packRecords', () => {
  it('decodes to the same values in Redis (cmsgpack)', async () => {
    // Decoded by cmsgpack, packed again by it, and read back here: what the script saw.
    const echo = 'return cmsgpack.pack(cmsgpack.unpack(ARGV[1]))';
    const got = (await raw.callBuffer('EVAL', [echo, 0, packRecords(records)])) as Buffer;
    expect(new Unpackr({ int64AsType: 'number' }).unpack(got)).toEqual(records);
  });

  it('carries a whole flush through the store: non-ASCII keys and members land as given', async () => {
    const hits = defineView({ name: 'hits', aggregation: { kind: 'count' }, timeOf: () => 0 });
    const who = defineView({ name: 'who', aggregation: { kind: 'distinct', field: 'v' }, timeOf: () => 0 });
    const store = RedisViewStore.open(server.url, { namespace: 'pk' });
    try {
      const b = 100 * HOUR_MS;
      await store.apply([
        { view: 'hits', key: '/caf\u00e9', bucket: b, n: 2 },
        { view: 'hits', key: '/plain', bucket: b, n: 3 },
        { view: 'who', key: '/caf\u00e9', bucket: b, member: 'm\u00fcller' },
        { view: 'who', key: '/caf\u00e9', bucket: b, member: 'smith' },
        { view: 'who', key: '/{braced}', bucket: b, member: 'x' },
      ], [hits, who]);
      expect((await store.values(hits, '/caf\u00e9', [b])).total).toBe(2);
      expect((await store.values(hits, '/plain', [b])).total).toBe(3);
      expect((await store.values(who, '/caf\u00e9', [b])).total).toBe(2);
      expect((await store.values(who, '/{braced}', [b])).total).toBe(1);
      expect(await store.top(hits, [b], 5)).toEqual([{ key: '/plain', score: 3 }, { key: '/caf\u00e9', score: 2 }]);
      expect(await store.top(who, [b], 5)).toEqual([{ key: '/caf\u00e9', score: 2 }, { key: '/{braced}', score: 1 }]);
    } finally {
      await store.close();
    }
  });
});
