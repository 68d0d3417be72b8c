/**
 * Lines out of order by up to a minute give the same views as the same lines in order:
 * pageviews and bounces exactly, uniques identically. The log is generated here (seeded) with
 * visits whose gaps sit right around the 30-minute rule, exact duplicates, an absolute-form
 * request line for a second domain and logged-in users, then written twice: sorted by time,
 * and shuffled so that each line is at most 60 s behind one written before it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt } from '../cli/run-cli.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { Cells, lastJson, PAGEVIEWS, topoIn, type RunSummaryJson } from './harness.js';
import { refEvents, rng, truthOf, type Truth } from './reference.js';

const MON = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const clf = (t: number): string => {
  const d = new Date(t);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${MON[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
};

/** [ts, line] of a generated log, in time order. */
function generate(): [number, string][] {
  const pick = rng(42);
  const gaps = [5_000, 40_000, 180_000, 720_000, 1_740_000, 1_790_000, 1_800_000, 1_810_000, 1_860_000, 3_000_000, 7_200_000];
  const out: [number, string][] = [];
  const base = Date.UTC(2021, 2, 14, 8, 0, 0);
  for (let v = 0; v < 120; v++) {
    const ip = `10.1.${v >> 4}.${v & 15}`;
    const user = v % 7 === 0 ? `user${v % 3}` : '-'; // a few users shared by several IPs
    let t = base + Math.floor(pick() * 4 * 3_600_000 / 1000) * 1000;
    const n = 1 + Math.floor(pick() * 12);
    for (let i = 0; i < n; i++) {
      const target = pick() < 0.1 ? `http://Other.Example/x${Math.floor(pick() * 3)}/` : `/page/${Math.floor(pick() * 25)}?b=1&a=${Math.floor(pick() * 2)}`;
      const line = `${ip} - ${user} [${clf(t)}] "GET ${target} HTTP/1.1" 200 ${100 + i} "-" "gen/1.0"`;
      out.push([t, line]);
      if (pick() < 0.05) out.push([t, line]); // logged twice
      t += gaps[Math.floor(pick() * gaps.length)]!;
    }
  }
  return out.sort((a, b) => a[0] - b[0]);
}

let server: RedisServer;
let tmp: string;
let truth: Truth;
const summaries: RunSummaryJson[] = [];
let maxBehind = 0;

beforeAll(async () => {
  assertBuilt();
  server = await startRedis();
  tmp = mkdtempSync(join(tmpdir(), 'topo-pv-order-'));
  const sorted = generate();
  const pick = rng(9);
  const shuffled = sorted.map(([t, l]) => ({ key: t + pick() * 60_000, t, l })).sort((a, b) => a.key - b.key);
  let latest = -Infinity;
  for (const x of shuffled) {
    maxBehind = Math.max(maxBehind, latest - x.t);
    latest = Math.max(latest, x.t);
  }
  const sortedText = sorted.map(([, l]) => l).join('\n') + '\n';
  writeFileSync(join(tmp, 'sorted.log'), sortedText);
  writeFileSync(join(tmp, 'shuffled.log'), shuffled.map((x) => x.l).join('\n') + '\n');
  const ref = refEvents(sortedText);
  expect(ref.rejected).toEqual([]);
  truth = truthOf(ref.events);
  const runs = await Promise.all(['sorted', 'shuffled'].map((name, i) =>
    topoIn(['run', PAGEVIEWS, '--redis', `${server.url}/${i + 1}`, '--json', '--workers', '2', '-c', `input=${join(tmp, `${name}.log`)}`, '-c', `rejects=${join(tmp, `${name}.rejects`)}`])));
  for (const r of runs) {
    expect(r.code, r.stderr.slice(-2000)).toBe(0);
    summaries.push(lastJson<RunSummaryJson>(r));
  }
}, 90_000);
afterAll(async () => {
  await server?.dispose();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

async function views(db: number) {
  const cells = new Cells(`${server.url}/${db}`);
  try {
    const pv: [string, number][] = [];
    for (const url of truth.pageviews.keys()) for (const h of truth.hours) pv.push([url, h]);
    const bo: [string, number][] = [];
    for (const d of truth.bounces.keys()) for (const h of truth.hours) bo.push([d, h]);
    return {
      pageviews: await cells.counts('pageviews', pv),
      uniques: await cells.distinct('uniques', pv),
      bounces: (await cells.counters('bounces', bo)).map((c) => [c['visits'] ?? 0, c['bounces'] ?? 0]),
      late: await cells.redis.get('topo:pageviews:bounces:v1:late'),
      want: {
        pageviews: pv.map(([u, h]) => truth.pageviews.get(u)!.get(h) ?? 0),
        bounces: bo.map(([d, h]) => [truth.bounces.get(d)!.get(h)?.visits ?? 0, truth.bounces.get(d)!.get(h)?.bounces ?? 0]),
      },
    };
  } finally {
    cells.close();
  }
}

describe('pageviews on a log out of order by up to a minute', () => {
  it('the fixture is what it claims: lines up to 60 s behind, visits split at 30 minutes, two domains', () => {
    expect(maxBehind).toBeGreaterThan(45_000);
    expect(maxBehind).toBeLessThanOrEqual(60_000);
    expect([...truth.bounces.keys()].sort()).toEqual(['other.example', 'semicomplete.com']);
    const visits = [...truth.bounces.values()].flatMap((m) => [...m.values()]);
    expect(visits.reduce((n, c) => n + c.bounces, 0)).toBeGreaterThan(20);
    for (const s of summaries) expect(s.status).toBe('completed');
  });

  it('gives the sorted log\'s views, both equal to the reference: pageviews and bounces exactly, uniques identically', async () => {
    const sorted = await views(1);
    const shuffled = await views(2);
    expect(sorted.pageviews).toEqual(sorted.want.pageviews);
    expect(sorted.bounces).toEqual(sorted.want.bounces);
    expect(shuffled.pageviews).toEqual(sorted.want.pageviews);
    expect(shuffled.bounces).toEqual(sorted.want.bounces);
    expect(shuffled.uniques).toEqual(sorted.uniques);
    // Nothing was later than the 5-minute allowed lateness.
    expect([sorted.late, shuffled.late]).toEqual([null, null]);
  });
});
