import { describe, expect, it } from 'vitest';
import { MemoryViewStore } from '../../src/speed/memory-store.js';
import { HOUR_MS, DAY_MS } from '../../src/views/view.js';
import { ALL, H0, H1, storeCases, views } from './store-cases.js';

const store = new MemoryViewStore();

describe('MemoryViewStore', () => {
  storeCases(() => store);

  it('keeps distinct members exactly', async () => {
    const s = new MemoryViewStore();
    await s.apply(Array.from({ length: 4000 }, (_, i) => ({ view: 'uniq', key: '/u', bucket: H0, member: `m${i % 3000}` })), ALL);
    expect((await s.values(views.uniq, '/u', [H0])).total).toBe(3000);
  });

  it('forgets a bucket once its end plus the TTL has passed', async () => {
    let now = H0 + HOUR_MS;
    const s = new MemoryViewStore(() => now);
    await s.apply([{ view: 'hits', key: '/t', bucket: H0, n: 2 }, { view: 'hits', key: '/t', bucket: H1, n: 3 }], ALL);
    now = H0 + HOUR_MS + 7 * DAY_MS - 1;
    expect((await s.values(views.hits, '/t', [H0, H1])).total).toBe(5);
    now += 1;
    expect((await s.values(views.hits, '/t', [H0, H1])).total).toBe(3);
    expect(s.topEntries(views.hits, 5)).toEqual([{ key: '/t', score: 3 }]);
  });

  it('merges the snapshots of per-thread stores and prints the top entries', async () => {
    const a = new MemoryViewStore();
    const b = new MemoryViewStore();
    await a.apply([{ view: 'hits', key: '/x', bucket: H0, n: 2 }, { view: 'uniq', key: '/x', bucket: H0, member: 'v1' }], ALL, { hits: 1 });
    await b.apply([{ view: 'hits', key: '/x', bucket: H0, n: 3 }, { view: 'hits', key: '/y', bucket: H1, n: 4 }, { view: 'uniq', key: '/x', bucket: H0, member: 'v1' }], ALL);
    const merged = new MemoryViewStore();
    // Through JSON: a snapshot must survive the trip between threads as plain data.
    merged.merge(JSON.parse(JSON.stringify(a.snapshot())), ALL);
    merged.merge(JSON.parse(JSON.stringify(b.snapshot())), ALL);
    expect(merged.topEntries(views.hits, 2)).toEqual([{ key: '/x', score: 5 }, { key: '/y', score: 4 }]);
    expect((await merged.values(views.uniq, '/x', [H0])).total).toBe(1);
    expect(await merged.late(views.hits)).toBe(1);
  });
});
