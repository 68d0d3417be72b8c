/**
 * A Redis outage under the stream spout: redis-server (AOF, fsync always) is SIGKILLed while
 * the spout holds entries and acks arrive, then restarted. Nothing is lost or acked falsely:
 * the acks made during the outage reach Redis after it, the held entries are still pending
 * until then, and new entries are read again.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { addLines, pendingOf, SpoutDriver, until } from './spout-harness.js';

let server: RedisServer;

beforeAll(async () => {
  server = await startRedis({ aof: true, appendfsync: 'always' });
});
afterAll(async () => {
  await server?.dispose();
});

describe('stream spout across a Redis restart', () => {
  it('keeps reading and acking after Redis comes back; nothing acked is pending, nothing unacked is lost', async () => {
    let r = new Redis(server.url);
    const ids = await addLines(r, 'out', 10);
    r.disconnect();
    const d = new SpoutDriver({ redis: server.url, stream: 'out', group: 'g', 'stream.start': '0', consumer: 'c', 'stream.blockMs': 200 });
    try {
      await d.open();
      await until('10 emitted', () => d.emitted.length === 10);
      for (const e of d.emitted.slice(0, 5)) d.ack(e.msgId);
      r = new Redis(server.url);
      await until('5 acked', async () => (await pendingOf(r, 'out', 'g')).count === 5);
      r.disconnect();

      await server.kill();
      for (const e of d.emitted.slice(5)) d.ack(e.msgId); // acked while Redis is down
      await new Promise((res) => setTimeout(res, 500));
      await server.restart();

      r = new Redis(server.url);
      await until('the outage acks reached Redis', async () => (await pendingOf(r, 'out', 'g')).count === 0, 30_000);
      const more = await addLines(r, 'out', 3, 'after-');
      await until('new entries read after the restart', () => d.emitted.length === 13, 30_000);
      expect(d.emitted.slice(10).map((e) => e.msgId)).toEqual(more);
      expect(d.emitted.slice(0, 10).map((e) => e.msgId)).toEqual(ids);
      r.disconnect();
    } finally {
      await d.close();
    }
  });
});
