// Behaviours every ViewStore must have, run against Redis and the in-process store alike
// (each store gets its own test file; this is the shared list of cases, not a stand-in).
import { expect, it } from 'vitest';
import { defineView, HOUR_MS, type ViewUpdate } from '../../src/views/view.js';
import type { ViewStore } from '../../src/speed/store.js';

// A recent bucket, so TTLs are in the future.
export const H0 = Math.floor(Date.now() / HOUR_MS) * HOUR_MS - 2 * HOUR_MS;
export const H1 = H0 + HOUR_MS;

export const views = {
  hits: defineView({ name: 'hits', aggregation: { kind: 'count' }, timeOf: () => 0 }),
  bytes: defineView({ name: 'bytes', aggregation: { kind: 'sum', field: 'b' }, timeOf: () => 0 }),
  uniq: defineView({ name: 'uniq', aggregation: { kind: 'distinct', field: 'v' }, timeOf: () => 0 }),
  bounce: defineView({ name: 'bounce', aggregation: { kind: 'counters', fields: ['visits', 'bounces'] }, timeOf: () => 0 }),
  once: defineView({ name: 'once', aggregation: { kind: 'count' }, exactlyOnce: true, timeOf: () => 0 }),
  oncec: defineView({ name: 'oncec', aggregation: { kind: 'counters', fields: ['a', 'b'] }, exactlyOnce: true, timeOf: () => 0 }),
};
export const ALL = Object.values(views);

/** Register the shared cases; `store()` returns the store under test (fresh per file). */
export function storeCases(store: () => ViewStore): void {
  it('counts and sums per bucket, with the range total', async () => {
    const s = store();
    await s.apply(
      [
        { view: 'hits', key: '/a', bucket: H0, n: 3 },
        { view: 'hits', key: '/a', bucket: H1, n: 2 },
        { view: 'hits', key: '/a', bucket: H1, n: 1 },
        { view: 'bytes', key: '/a', bucket: H0, n: 1.5 },
        { view: 'bytes', key: '/a', bucket: H0, n: 2.25 },
      ],
      ALL,
    );
    const hits = await s.values(views.hits, '/a', [H0, H1, H1 + HOUR_MS]);
    expect(hits.buckets.map((b) => b.value)).toEqual([3, 3, 0]);
    expect(hits.total).toBe(6);
    expect((await s.values(views.bytes, '/a', [H0])).total).toBeCloseTo(3.75, 10);
  });

  it('counts distinct members per bucket and over the range (HyperLogLog within 2%)', async () => {
    const s = store();
    const ups: ViewUpdate[] = [];
    for (let i = 0; i < 3000; i++) ups.push({ view: 'uniq', key: '/u', bucket: H0, member: `v${i}` });
    for (let i = 2000; i < 5000; i++) ups.push({ view: 'uniq', key: '/u', bucket: H1, member: `v${i}` });
    await s.apply(ups, ALL);
    await s.apply(ups.slice(0, 100), ALL); // adding members again changes nothing
    const r = await s.values(views.uniq, '/u', [H0, H1]);
    expect(Math.abs((r.buckets[0]!.value as number) - 3000)).toBeLessThanOrEqual(60);
    expect(Math.abs((r.buckets[1]!.value as number) - 3000)).toBeLessThanOrEqual(60);
    expect(Math.abs((r.total as number) - 5000)).toBeLessThanOrEqual(100);
  });

  it('adds counters field by field', async () => {
    const s = store();
    await s.apply(
      [
        { view: 'bounce', key: 'example.com', bucket: H0, fields: { visits: 2, bounces: 1 } },
        { view: 'bounce', key: 'example.com', bucket: H0, fields: { visits: 1 } },
        { view: 'bounce', key: 'example.com', bucket: H1, fields: { visits: 4, bounces: 4 } },
      ],
      ALL,
    );
    const r = await s.values(views.bounce, 'example.com', [H0, H1]);
    expect(r.buckets[0]!.value).toEqual({ visits: 3, bounces: 1 });
    expect(r.total).toEqual({ visits: 7, bounces: 5 });
  });

  it('ranks the top keys of one bucket and of a range, and lists keys', async () => {
    const s = store();
    await s.apply(
      [
        { view: 'hits', key: '/x', bucket: H0, n: 5 },
        { view: 'hits', key: '/y', bucket: H0, n: 7 },
        { view: 'hits', key: '/z', bucket: H0, n: 1 },
        { view: 'hits', key: '/x', bucket: H1, n: 4 },
        { view: 'hits', key: '/{odd}', bucket: H1, n: 2 },
      ],
      ALL,
    );
    expect(await s.top(views.hits, [H0], 2)).toEqual([{ key: '/y', score: 7 }, { key: '/x', score: 5 }]);
    expect((await s.top(views.hits, [H0, H1], 2)).map((e) => [e.key, e.score])).toEqual([['/x', 9], ['/y', 7]]);
    expect(new Set(await s.keys(views.hits))).toEqual(new Set(['/a', '/x', '/y', '/z', '/{odd}']));
    expect((await s.values(views.hits, '/{odd}', [H1])).total).toBe(2);
  });

  it('counts late events per view', async () => {
    const s = store();
    await s.apply([], ALL, { hits: 3 });
    await s.apply([{ view: 'hits', key: '/late', bucket: H0, n: 1 }], ALL, { hits: 2 });
    expect(await s.late(views.hits)).toBe(5);
    expect(await s.late(views.bytes)).toBe(0);
  });

  it('applies exactly-once views once per event id, and plain views every time', async () => {
    const s = store();
    const batch: ViewUpdate[] = [];
    for (let i = 0; i < 50; i++) {
      batch.push({ view: 'once', key: '/e', bucket: H0, n: 1, id: `f:${i}` });
      batch.push({ view: 'hits', key: '/e', bucket: H0, n: 1, id: `f:${i}` });
      batch.push({ view: 'oncec', key: '/e', bucket: H0, fields: { a: 1, b: 2 }, id: `f:${i}` });
    }
    const first = await s.apply(batch, ALL);
    expect(first.skipped).toBe(0);
    const again = await s.apply(batch, ALL);
    expect(again.skipped).toBe(100);
    expect((await s.values(views.once, '/e', [H0])).total).toBe(50);
    expect((await s.values(views.oncec, '/e', [H0])).total).toEqual({ a: 50, b: 100 });
    expect((await s.values(views.hits, '/e', [H0])).total).toBe(100);
    // The same id in another bucket is another application.
    await s.apply([{ view: 'once', key: '/e', bucket: H1, n: 1, id: 'f:0' }], ALL);
    expect((await s.values(views.once, '/e', [H0, H1])).total).toBe(51);
    await expect(s.apply([{ view: 'once', key: '/e', bucket: H0, n: 1 }], ALL)).rejects.toThrow(/exactly-once.*no event id/);
  });

  it('exactly-once: copies of one event id in ONE flush count once (the first copy), at-least-once counts each', async () => {
    const s = store();
    const r = await s.apply(
      [
        { view: 'once', key: '/dup1', bucket: H0, n: 1, id: 'd:1' },
        { view: 'once', key: '/dup1', bucket: H0, n: 1, id: 'd:1' },
        { view: 'oncec', key: '/dup1', bucket: H0, fields: { a: 1, b: 1 }, id: 'd:1' },
        { view: 'oncec', key: '/dup1', bucket: H0, fields: { a: 5, b: 7 }, id: 'd:1' },
        { view: 'hits', key: '/dup1', bucket: H0, n: 1, id: 'd:1' },
        { view: 'hits', key: '/dup1', bucket: H0, n: 1, id: 'd:1' },
      ],
      ALL,
    );
    expect(r).toEqual({ applied: 4, skipped: 2 });
    expect((await s.values(views.once, '/dup1', [H0])).total).toBe(1);
    expect((await s.values(views.oncec, '/dup1', [H0])).total).toEqual({ a: 1, b: 1 });
    expect((await s.values(views.hits, '/dup1', [H0])).total).toBe(2);
    // The top ZSET scores the deduplicated value too.
    expect((await s.top(views.once, [H0], 100)).find((e) => e.key === '/dup1')?.score).toBe(1);
    expect((await s.top(views.oncec, [H0], 100)).find((e) => e.key === '/dup1')?.score).toBe(1);
  });

  it('exactly-once: a mix of ids repeated within and across flushes and buckets counts each id once per cell', async () => {
    const s = store();
    const up = (id: string, bucket = H0, key = '/mix'): ViewUpdate => ({ view: 'once', key, bucket, n: 1, id });
    // Flush 1: a, b, a, c, b, a in /mix H0 (3 ids), a twice in /mix H1, a in /other H0.
    const f1 = await s.apply([up('a'), up('b'), up('a'), up('c'), up('b'), up('a'), up('a', H1), up('a', H1), up('a', H0, '/other')], ALL);
    expect(f1).toEqual({ applied: 5, skipped: 4 });
    // Flush 2: replays of a and c (twice each) and a new id d (twice).
    const f2 = await s.apply([up('c'), up('a'), up('d'), up('c'), up('d'), up('a')], ALL);
    expect(f2).toEqual({ applied: 1, skipped: 5 });
    // Flush 3: the same flush again, as a retry would send it: nothing new.
    expect(await s.apply([up('c'), up('a'), up('d'), up('c'), up('d'), up('a')], ALL)).toEqual({ applied: 0, skipped: 6 });
    expect((await s.values(views.once, '/mix', [H0, H1])).buckets.map((b) => b.value)).toEqual([4, 1]);
    expect((await s.values(views.once, '/other', [H0])).total).toBe(1);
  });

  it('exactly-once: distinct ids in one flush are all counted, and at-least-once views still add every copy', async () => {
    const s = store();
    const batch: ViewUpdate[] = [];
    for (let i = 0; i < 300; i++) {
      batch.push({ view: 'once', key: '/many', bucket: H0, n: 2, id: `m:${i}` });
      batch.push({ view: 'oncec', key: '/many', bucket: H0, fields: { a: 1, b: i % 2 }, id: `m:${i}` });
      // The same id twice, on the at-least-once views: summed, as before.
      for (let k = 0; k < 2; k++) {
        batch.push({ view: 'hits', key: '/many', bucket: H0, n: 1, id: `m:${i}` });
        batch.push({ view: 'bounce', key: '/many', bucket: H0, fields: { visits: 1 }, id: `m:${i}` });
      }
    }
    expect(await s.apply(batch, ALL)).toEqual({ applied: batch.length, skipped: 0 });
    expect((await s.values(views.once, '/many', [H0])).total).toBe(600);
    expect((await s.values(views.oncec, '/many', [H0])).total).toEqual({ a: 300, b: 150 });
    expect((await s.values(views.hits, '/many', [H0])).total).toBe(600);
    expect((await s.values(views.bounce, '/many', [H0])).total).toEqual({ visits: 600, bounces: 0 });
  });

  it('rejects an update for a view it was not given', async () => {
    await expect(store().apply([{ view: 'nope', key: 'k', bucket: H0, n: 1 }], ALL)).rejects.toThrow(/unknown view 'nope'/);
  });
}
