/**
 * The pageviews topology on the shipped log, through the real CLI against a real
 * redis-server, compared with the independent reference of ./reference.ts: pageviews per
 * (URL, hour) for every cell (read by the documented key schema) and through `topo query`
 * for a sample of URLs and ranges, uniques within HyperLogLog's error, bounce rate per
 * domain by the visit rule, and `topo top`.
 */
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt } from '../cli/run-cli.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { Cells, lastJson, PAGEVIEWS, pool, SHIPPED_LOG, topoIn, type QueryJson, type RunSummaryJson } from './harness.js';
import { HOUR, iso, pageviewsBetween, refEvents, rng, truthOf, urlsByTotal, type Truth } from './reference.js';

let server: RedisServer;
let cells: Cells;
let truth: Truth;
let summary: RunSummaryJson;
let tmp: string;
let first: number;
let last: number;
const FROM = (): string => iso(first);
const TO = (): string => iso(last + HOUR - 1000);

beforeAll(async () => {
  assertBuilt();
  server = await startRedis();
  tmp = mkdtempSync(join(tmpdir(), 'topo-pv-shipped-'));
  const ref = refEvents(readFileSync(SHIPPED_LOG, 'utf8'));
  expect(ref.rejected).toEqual([]);
  truth = truthOf(ref.events);
  first = truth.hours[0]!;
  last = truth.hours[truth.hours.length - 1]!;
  const r = await topoIn(['run', PAGEVIEWS, '--redis', server.url, '--json', '--metrics-interval', '60s', '-c', `rejects=${join(tmp, 'rejects.jsonl')}`]);
  summary = lastJson<RunSummaryJson>(r);
  expect(r.code, r.stderr).toBe(0);
  // The figure the report quotes: events per second through the whole topology into Redis.
  console.info(`[pageviews e2e] shipped log: ${summary.spouts['lines']!.acked} lines in ${summary.elapsedMs} ms, ${summary.throughput.ackedPerSec} events/s`);
  cells = new Cells(server.url);
}, 90_000);

afterAll(async () => {
  cells?.close();
  await server?.dispose();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const query = async <V = number>(view: string, key: string, from: string, to: string): Promise<QueryJson<V>> => {
  const r = await topoIn(['query', view, key, '--topology', PAGEVIEWS, '--from', from, '--to', to, '--json', '--redis', server.url]);
  expect(r.code, `${view} ${key}: ${r.stderr}`).toBe(0);
  return lastJson<QueryJson<V>>(r);
};

/** HyperLogLog's promise at these sizes: within 2%, and exact while the set is small. */
function hllOk(estimate: number, exact: number): boolean {
  return exact <= 50 ? estimate === exact : Math.abs(estimate - exact) <= Math.ceil(0.02 * exact);
}

describe('pageviews topology on the shipped log, against an independent reference', () => {
  it('completes with every line a pageview (line 8899, cut in its user agent, included) and no rejects', () => {
    expect(summary.status).toBe('completed');
    expect(summary.spouts['lines']).toMatchObject({ emitted: 10_000, acked: 10_000 });
    expect(summary.bolts['parse']!.errors + summary.bolts['visitors']!.errors + summary.bolts['views']!.errors).toBe(0);
    expect(existsSync(join(tmp, 'rejects.jsonl'))).toBe(false);
    expect(truth.hours.length).toBe(84);
    // The reference's own figures: 10,000 lines, fewer events once duplicates are removed.
    expect(truth.events).toBeLessThan(10_000);
    expect(truth.events).toBeGreaterThan(9_900);
  });

  it('holds exactly the reference pageviews in every (URL, hour) cell', async () => {
    const pairs: [string, number][] = [];
    for (const url of truth.pageviews.keys()) for (const h of truth.hours) pairs.push([url, h]);
    const got = await cells.counts('pageviews', pairs);
    const wrong = pairs.flatMap(([u, h], i) => {
      const want = truth.pageviews.get(u)!.get(h) ?? 0;
      return got[i] === want ? [] : [`${u} ${iso(h)}: ${got[i]} != ${want}`];
    });
    expect(wrong).toEqual([]);
    expect(got.reduce((a, b) => a + b, 0)).toBe(truth.events);
  });

  it('lists every URL with pageviews in `topo keys pageviews` (a replayed old log keeps its index)', async () => {
    const r = await topoIn(['keys', 'pageviews', '--json', '--topology', PAGEVIEWS, '--redis', server.url]);
    expect(r.code, r.stderr).toBe(0);
    expect(lastJson<{ keys: string[] }>(r).keys.sort()).toEqual([...truth.pageviews.keys()].sort());
  });


  it('answers `topo query pageviews` per hour and over the range for the top 12 URLs and 12 random ones', async () => {
    const ranked = urlsByTotal(truth);
    const pick = rng(7);
    const rest = ranked.slice(12).map((x) => x.url);
    const random: string[] = [];
    while (random.length < 12) {
      const u = rest.splice(Math.floor(pick() * rest.length), 1)[0]!;
      random.push(u);
    }
    const urls = [...ranked.slice(0, 12).map((x) => x.url), ...random];
    const answers = await pool(urls, 4, (u) => query('pageviews', u, FROM(), TO()));
    let compared = 0;
    answers.forEach((a, i) => {
      const url = urls[i]!;
      expect(a.key).toBe(url);
      expect(a.buckets.map((b) => b.start)).toEqual(truth.hours.map(iso));
      expect(a.buckets.map((b) => b.value), url).toEqual(truth.hours.map((h) => truth.pageviews.get(url)!.get(h) ?? 0));
      expect(a.value, url).toBe(pageviewsBetween(truth, url, first, last));
      compared += a.buckets.length;
    });
    expect(compared).toBe(24 * 84);
  });

  it('normalises the queried URL as the views do, and counts ranges that start and end inside an hour', async () => {
    const top = urlsByTotal(truth)[0]!.url; // favicon
    const withQuery = [...truth.pageviews.keys()].find((u) => u.includes('flav=rss20'))!;
    const spelled = [
      [top.replace('http://semicomplete.com', 'HTTP://SemiComplete.COM:80') + '#frag', top],
      [`${withQuery}&utm_source=feed&fbclid=x`, withQuery],
    ] as const;
    for (const [raw, url] of spelled) {
      const a = await query('pageviews', raw, FROM(), TO());
      expect(a.key).toBe(url);
      expect(a.value).toBe(pageviewsBetween(truth, url, first, last));
    }
    const pick = rng(11);
    const urls = urlsByTotal(truth).slice(0, 4).map((x) => x.url);
    const ranges = urls.map((url) => {
      const a = first + Math.floor(pick() * 40) * HOUR + Math.floor(pick() * 59 + 1) * 60_000;
      const b = a + Math.floor(pick() * 30 + 1) * HOUR + Math.floor(pick() * 50) * 60_000;
      return { url, a, b };
    });
    const answers = await pool(ranges, 3, ({ url, a, b }) => query('pageviews', url, iso(a), iso(b)));
    answers.forEach((ans, i) => {
      const { url, a, b } = ranges[i]!;
      const hours: number[] = [];
      for (let h = Math.floor(a / HOUR) * HOUR; h <= b; h += HOUR) hours.push(h);
      // Every bucket the range touches, whole: the first and last are partly outside it.
      expect(ans.buckets.map((x) => x.start)).toEqual(hours.map(iso));
      expect(ans.buckets.map((x) => x.value)).toEqual(hours.map((h) => truth.pageviews.get(url)!.get(h) ?? 0));
      expect(ans.value).toBe(pageviewsBetween(truth, url, hours[0]!, hours[hours.length - 1]!));
    });
  });

  it('holds unique visitors per (URL, hour) within HyperLogLog error (exact up to 50) in every cell', async () => {
    const pairs: [string, number][] = [];
    const exact: number[] = [];
    for (const [url, m] of truth.uniques) for (const [h, s] of m) {
      pairs.push([url, h]);
      exact.push(s.size);
    }
    const got = await cells.distinct('uniques', pairs);
    let maxErr = 0;
    const wrong = pairs.flatMap(([u, h], i) => {
      if (exact[i]! > 0) maxErr = Math.max(maxErr, Math.abs(got[i]! - exact[i]!) / exact[i]!);
      return hllOk(got[i]!, exact[i]!) ? [] : [`${u} ${iso(h)}: ${got[i]} vs ${exact[i]}`];
    });
    console.info(`[pageviews e2e] uniques: ${pairs.length} cells, largest ${Math.max(...exact)}, max relative error ${(maxErr * 100).toFixed(2)}%`);
    expect(wrong).toEqual([]);
  });

  it('answers `topo query uniques` per hour and as the union over the range', async () => {
    const ranked = urlsByTotal(truth);
    const urls = [...ranked.slice(0, 3), ...ranked.slice(200, 201)].map((x) => x.url);
    const answers = await pool(urls, 3, (u) => query('uniques', u, FROM(), TO()));
    let maxErr = 0;
    answers.forEach((a, i) => {
      const m = truth.uniques.get(urls[i]!)!;
      a.buckets.forEach((b, j) => expect(hllOk(b.value, m.get(truth.hours[j]!)?.size ?? 0), `${urls[i]} ${b.start}`).toBe(true));
      const union = new Set<string>();
      for (const s of m.values()) for (const v of s) union.add(v);
      maxErr = Math.max(maxErr, Math.abs(a.value - union.size) / union.size);
      expect(hllOk(a.value, union.size), `${urls[i]} range: ${a.value} vs ${union.size}`).toBe(true);
    });
    console.info(`[pageviews e2e] uniques over the range: max relative error ${(maxErr * 100).toFixed(2)}%`);
  });

  it('answers `topo query bounces` with the visits and bounces of the visit rule, per hour and over the range', async () => {
    expect([...truth.bounces.keys()]).toEqual(['semicomplete.com']);
    const want = truth.bounces.get('semicomplete.com')!;
    const a = await query<{ rate: number; visits: number; bounces: number }>('bounces', 'semicomplete.com', FROM(), TO());
    expect(a.buckets.map((b) => [b.start, b.value.visits, b.value.bounces])).toEqual(
      truth.hours.map((h) => [iso(h), want.get(h)?.visits ?? 0, want.get(h)?.bounces ?? 0]),
    );
    const visits = [...want.values()].reduce((n, c) => n + c.visits, 0);
    const bounces = [...want.values()].reduce((n, c) => n + c.bounces, 0);
    expect(a.value).toEqual({ rate: bounces / visits, visits, bounces });
    a.buckets.forEach((b) => expect(b.value.rate).toBe(b.value.visits === 0 ? 0 : b.value.bounces / b.value.visits));
    console.info(`[pageviews e2e] bounces: ${visits} visits, ${bounces} bounces, rate ${(bounces / visits).toFixed(4)}`);
  });

  it('answers `topo top pageviews -n 10` with the reference top 10, over the log and by default (the latest day of data)', async () => {
    const r = await topoIn(['top', 'pageviews', '-n', '10', '--json', '--topology', PAGEVIEWS, '--from', FROM(), '--to', TO(), '--redis', server.url]);
    expect(r.code, r.stderr).toBe(0);
    const top = lastJson<{ top: { key: string; score: number }[] }>(r).top;
    const ranked = urlsByTotal(truth);
    expect(top.map((e) => e.score)).toEqual(ranked.slice(0, 10).map((x) => x.total));
    // Keys must match too; URLs tied at the cut-off may come in either order.
    for (const e of top) expect(pageviewsBetween(truth, e.key, first, last)).toBe(e.score);
    expect(ranked[10]!.total).toBeLessThan(ranked[9]!.total);
    // Without a range: the 24 hours ending with the latest bucket the view holds.
    const d = await topoIn(['top', 'pageviews', '-n', '10', '--json', '--topology', PAGEVIEWS, '--redis', server.url]);
    expect(d.code, d.stderr).toBe(0);
    const lastHourEnd = Math.floor(last / HOUR) * HOUR + HOUR;
    const dayTop = lastJson<{ top: { key: string; score: number }[] }>(d).top;
    expect(dayTop.length).toBe(10);
    for (const e of dayTop) expect(pageviewsBetween(truth, e.key, lastHourEnd - 24 * HOUR, lastHourEnd - 1)).toBe(e.score);
  });
});
