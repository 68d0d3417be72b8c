/**
 * Issue 12 item 5: `topo batch` must accept every master record its reader's validation
 * (the pageviews dataset's validation) accepts. A record lacking an optional field (`user`, `host`, `path`, the
 * HTTP fields) is a pageview like any other; a record the views cannot use (a URL that does
 * not normalise) is counted as skipped; a line that is not a record is named file:line and
 * counted; the run completes and publishes, without --strict.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { factProblem } from '../../src/batch/dataset.js';
import { pageviewsDataset } from '../../topologies/pageviews/dataset.js';
import { runBatch } from '../../src/batch/runner/run.js';
import { pageviewsBatchInput } from '../../topologies/pageviews/batch-input.js';
import { PAGEVIEW_VIEWS, pageviewsView, uniquesView } from '../../topologies/pageviews/views.js';
import { ServingLayer } from '../../src/serving/query.js';
import { HOUR, tempRoot } from '../batch-runner/fixture.js';
import { useRedis } from '../batch-runner/use-redis.js';

const FILE = 'topologies/pageviews.ts';
const db = useRedis();
const T = Date.UTC(2015, 4, 17, 10);
const OPTIONAL = ['user', 'host', 'path', 'method', 'status', 'bytes', 'referrer', 'userAgent'] as const;

/** A full record as the sink writes it; `drop` removes keys. */
function full(id: string, ts: number, path: string, drop: readonly string[] = []): Record<string, unknown> {
  const r: Record<string, unknown> = {
    id, url: `http://x.com${path}`, host: 'x.com', path, ip: '1.2.3.4', user: null, ts,
    method: 'GET', status: 200, bytes: 10, referrer: null, userAgent: null,
  };
  for (const k of drop) delete r[k];
  return r;
}

/** Deterministic odd but valid records: every combination the reader accepts, with odd values. */
function fuzzRecords(n: number): Record<string, unknown>[] {
  let s = 7;
  const rnd = (): number => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const users = [undefined, null, '', 'u1', '\u0000', 'ünï', ' '];
  const ips = ['', '1.2.3.4', '::1', 'host.example', '\u0000'];
  const urls = ['http://x.com/a', 'HTTP://X.COM/a?b=1&a=2', 'http://x.com', '', 'not a url', 'http://[bad', 'https://x.com/%00', 'http://x.com/' + 'y'.repeat(3000), 'ftp://x.com/f'];
  const extras: Record<string, unknown>[] = [{}, { status: 'x' }, { bytes: -1 }, { method: 7 }, { referrer: {} }, { extra: [1, 2] }, { host: null, path: null }];
  const tss = [T, T + 1, T + 0.5, 0, -1, 1e15, -1e15, 8.64e15, -8.64e15];
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < n; i++) {
    const r: Record<string, unknown> = { id: `fuzz:${i}`, url: pick(urls), ip: pick(ips), ts: pick(tss), ...pick(extras) };
    const u = pick(users);
    if (u !== undefined) r['user'] = u;
    out.push(r);
  }
  return out;
}

/** The side inputs of a run without equiv edges. */
const NO_MERGES = { identities: new Map<string, string>() };

describe('pageviews batch input over odd records', () => {
  it('every record the reader accepts gives an event the views and the dedupe can use, or null', () => {
    const records = [...OPTIONAL.map((k, i) => full(`m:${i}`, T, '/m', [k])), full('all', T, '/m', OPTIONAL), ...fuzzRecords(400)];
    for (const r of records) {
      expect(factProblem(pageviewsDataset, r)).toBeNull();
      const e = pageviewsBatchInput.eventOf(r as never, NO_MERGES);
      if (e === null) continue;
      expect(typeof pageviewsBatchInput.groupOf(e)).toBe('string');
      // `alias` is there only on a merged visitor (none here).
      for (const f of pageviewsBatchInput.identityFields!) expect(f === 'alias' ? ['undefined'] : ['string', 'number']).toContain(typeof e[f]);
      expect(typeof pageviewsBatchInput.identityOf!(e)).toBe('string');
      for (const v of PAGEVIEW_VIEWS) {
        const k = v.keyOf(e as never);
        expect(k === null || typeof k === 'string').toBe(true);
        expect(Number.isFinite(v.timeOf(e as never))).toBe(true);
      }
    }
    // The record: no `user` key; its visitor is the ip.
    const e = pageviewsBatchInput.eventOf({ id: 'h:1', url: 'http://x.com/q', ip: '1.2.3.4', ts: 1431856800000 } as never, NO_MERGES);
    expect(e).toEqual({ visitor: '1.2.3.4', url: 'http://x.com/q', domain: 'x.com', ts: 1431856800000 });
  });

  it('topo batch over records missing each optional field, odd records and bad lines completes and counts them', async () => {
    await db.redis.flushall();
    const root = tempRoot();
    const dir = join(root, 'pageviews', 'date=2015-05-17');
    mkdirSync(dir, { recursive: true });
    // The record, then one per missing optional field (each its own page), then one
    // with none of them; a later record closes their hour for the batch view.
    const good = [
      { id: 'h:1', url: 'http://x.com/q', ip: '1.2.3.4', ts: 1431856800000 },
      ...OPTIONAL.map((k, i) => full(`m:${i}`, T + i, `/m${i}`, [k])),
      full('all', T, '/none', OPTIONAL),
      full('later', T + 3 * HOUR, '/later'),
    ];
    writeFileSync(join(dir, 'part-a.jsonl'), good.map((r) => JSON.stringify(r)).join('\n') + '\n');
    // Not records: no numeric ts, not JSON, a non-string user, not an object, a ts no Date holds.
    const bad = ['{"id":"b1","url":"http://x.com/b","ip":"1.2.3.4","ts":"soon"}', 'not json', '{"id":"b2","url":"http://x.com/b","ip":"1.2.3.4","ts":1,"user":5}', '[1]',
      `{"id":"b3","url":"http://x.com/b","ip":"1.2.3.4","ts":${Number.MAX_SAFE_INTEGER}}`];
    writeFileSync(join(dir, 'part-b.jsonl'), bad.join('\n') + '\n');
    const odd = fuzzRecords(300);
    writeFileSync(join(dir, 'part-c.jsonl'), odd.map((r) => JSON.stringify(r)).join('\n') + '\n');

    const r = await runBatch(db.redis, { file: FILE, root, threads: 2 });
    expect(r.badLines).toBe(5);
    expect(r.bad.some((b) => b.includes('part-b.jsonl:1:'))).toBe(true);
    expect(r.bad.some((b) => b.includes('part-b.jsonl:3:'))).toBe(true);
    expect(r.bad.some((b) => b.includes('part-b.jsonl:5:'))).toBe(true);
    // The watermark is a date the CLI can print (a ts beyond the Date range made it throw).
    for (const p of r.published) expect(new Date(p.watermark).toISOString()).toMatch(/^[+-]?\d{4,6}-/);
    expect(r.records).toBe(good.length + odd.length);
    // Every odd record is either an event or counted as skipped.
    expect(r.events + r.duplicates + r.skipped).toBe(r.records);
    const serving = new ServingLayer(db.redis, 'pageviews');
    const q = await serving.query(pageviewsView, 'http://x.com/q', [T]);
    expect(q.buckets[0]).toMatchObject({ source: 'batch', value: 1 });
    const u = await serving.query(uniquesView, 'http://x.com/q', [T]);
    expect(u.buckets[0]!.value).toBe(1);
    for (let i = 0; i < OPTIONAL.length; i++) {
      const m = await serving.query(pageviewsView, `http://x.com/m${i}`, [T]);
      expect(m.buckets[0], `record without ${OPTIONAL[i]}`).toMatchObject({ source: 'batch', value: 1 });
    }
    expect((await serving.query(pageviewsView, 'http://x.com/none', [T])).buckets[0]!.value).toBe(1);
  });
});
