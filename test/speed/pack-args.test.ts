// packArgs: a flush's keys and records as one msgpack value, decoded by Redis's own cmsgpack
// in the apply script. Checked against msgpackr and against a real redis-server, for ASCII
// (the latin1 fast path, every header size) and non-ASCII strings (the msgpackr path).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { unpack } from 'msgpackr';
import { packArgs } from '../../src/speed/pack-args.js';
import { RedisViewStore } from '../../src/speed/redis-store.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { HOUR_MS } from '../../src/views/view.js';
import { defineView } from '../../src/views/view.js';

const ascii = { keys: ['', 'k', 'x'.repeat(31), 'y'.repeat(32), 'z'.repeat(70_000)], argv: ['i', '1', 'a'.repeat(255), 'b'.repeat(65_535), '\u0000\u007f'] };
const unicode = { keys: ['/caf\u00e9', '/\u{1f600}'], argv: ['m\u00fcller', 'plain'] };

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

describe('packArgs', () => {
  it('encodes [keys, argv] as msgpack, ASCII or not', () => {
    expect(unpack(packArgs(ascii.keys, ascii.argv))).toEqual([ascii.keys, ascii.argv]);
    expect(unpack(packArgs(unicode.keys, unicode.argv))).toEqual([unicode.keys, unicode.argv]);
    expect(unpack(packArgs([], []))).toEqual([[], []]);
  });

  it('decodes to the same strings in Redis (cmsgpack)', async () => {
    const echo = "local p = cmsgpack.unpack(ARGV[1]); local out = {} for _, s in ipairs(p[1]) do out[#out + 1] = s end for _, s in ipairs(p[2]) do out[#out + 1] = s end return out";
    for (const c of [ascii, unicode]) {
      const got = (await raw.callBuffer('EVAL', [echo, 0, packArgs(c.keys, c.argv)])) as Buffer[];
      expect(got.map((b) => b.toString('utf8'))).toEqual([...c.keys, ...c.argv]);
    }
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
      ], [hits, who]);
      expect((await store.values(hits, '/caf\u00e9', [b])).total).toBe(2);
      expect((await store.values(hits, '/plain', [b])).total).toBe(3);
      expect((await store.values(who, '/caf\u00e9', [b])).total).toBe(2);
      expect(await store.top(hits, [b], 5)).toEqual([{ key: '/plain', score: 3 }, { key: '/caf\u00e9', score: 2 }]);
    } finally {
      await store.close();
    }
  });
});
