/**
 * The whole Lambda Architecture on the shipped log (issue 4's "Done means"): the pageviews
 * topology (speed layer + master-dataset sink) on the first half of the log, `topo batch`,
 * the topology again on the second half, then `topo query` against the independent
 * reference over the whole log. Buckets ending at or before the batch watermark come from the
 * batch view, later ones (the second half's first hour holds the watermark) from realtime.
 *
 * What the design promises for bounces: the batch side is exact; the realtime side
 * sessionizes what each run sees, so a visit that spans the two runs is two realtime visits
 * (each half's own visits, summed) until a batch run covers its bucket. Then the dataset is
 * compacted and batched again: every answered bucket is the reference's, and no rolled file
 * of the master dataset ever changed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt } from '../cli/run-cli.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { Cells, pool } from '../pageviews-e2e/harness.js';
import { HOUR, hourOf, iso, rng, truthOf, urlsByTotal, type Truth } from '../pageviews-e2e/reference.js';
import { changed, fingerprints, Lambda, splitLog, type BatchJson, type Fingerprint, type Halves } from './lambda.js';

type Bounce = { rate: number; visits: number; bounces: number };
let server: RedisServer, cells: Cells, lambda: Lambda, halves: Halves, tmp: string;
let truth: Truth, firstTruth: Truth, secondTruth: Truth, batch1: BatchJson;
let afterFirst: Map<string, Fingerprint>, afterSecond: Map<string, Fingerprint>;

beforeAll(async () => {
  assertBuilt();
  server = await startRedis();
  tmp = mkdtempSync(join(tmpdir(), 'topo-lambda-'));
  halves = splitLog(tmp);
  truth = truthOf(halves.all);
  firstTruth = truthOf(halves.firstEvents);
  secondTruth = truthOf(halves.secondEvents);
  lambda = new Lambda(server.url, join(tmp, 'master'), tmp);
  await lambda.run(halves.first);
  afterFirst = fingerprints(lambda.master);
  batch1 = await lambda.batch();
  await lambda.run(halves.second);
  afterSecond = fingerprints(lambda.master);
  cells = new Cells(server.url);
}, 150_000);

afterAll(async () => {
  cells?.close();
  await server?.dispose();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const whole = (): [string, string] => [iso(truth.hours[0]!), iso(truth.hours[truth.hours.length - 1]! + HOUR - 1)];
const watermarkOf = (b: BatchJson, view: string): number => Date.parse(b.views.find((v) => v.view === view)!.watermark);
const sourceOf = (bucket: number, watermark: number): string => (bucket + HOUR <= watermark ? 'batch' : 'realtime');

describe('the whole Lambda Architecture on the shipped log, in two halves around a batch run', () => {
  it('batches the first half: its records, watermark at its latest event, inside the second half\'s first hour', () => {
    expect(batch1.records).toBe(halves.firstEvents.length);
    const latest = Math.max(...halves.firstEvents.map((e) => e.ts));
    expect(Date.parse(batch1.latestEvent!)).toBe(latest);
    expect(watermarkOf(batch1, 'pageviews')).toBe(latest);
    expect(hourOf(Math.min(...halves.secondEvents.map((e) => e.ts)))).toBe(hourOf(latest));
  });

  it('answers pageviews for 20 URLs over the whole log exactly, batch up to the watermark and realtime after', async () => {
    const ranked = urlsByTotal(truth).map((x) => x.url);
    const pick = rng(3);
    const urls = [...ranked.slice(0, 10), ...Array.from({ length: 10 }, () => ranked[10 + Math.floor(pick() * (ranked.length - 10))]!)];
    const wm = watermarkOf(batch1, 'pageviews');
    const answers = await pool(urls, 3, (u) => lambda.query('pageviews', u, ...whole()));
    answers.forEach((a, i) => {
      const m = truth.pageviews.get(urls[i]!)!;
      expect(a.watermark).toBe(iso(wm));
      expect(a.buckets.map((b) => [b.start, b.value, b.source]), urls[i]).toEqual(truth.hours.map((h) => [iso(h), m.get(h) ?? 0, sourceOf(h, wm)]));
      expect(a.value).toBe([...m.values()].reduce((x, y) => x + y, 0));
    });
    expect(answers[0]!.buckets.some((b) => b.source === 'batch') && answers[0]!.buckets.some((b) => b.source === 'realtime')).toBe(true);
  });

  it('answers ranges that cross the watermark (starting and ending inside an hour)', async () => {
    const wm = watermarkOf(batch1, 'pageviews');
    const pick = rng(5);
    const urls = urlsByTotal(truth).slice(0, 8).map((x) => x.url);
    const ranges = urls.map((url) => ({ url, a: wm - Math.floor(pick() * 20 + 1) * HOUR - 17 * 60_000, b: wm + Math.floor(pick() * 20 + 1) * HOUR + 7 * 60_000 }));
    const answers = await pool(ranges, 3, ({ url, a, b }) => lambda.query('pageviews', url, iso(a), iso(b)));
    answers.forEach((ans, i) => {
      const { url, a, b } = ranges[i]!;
      const hours: number[] = [];
      for (let h = hourOf(a); h <= b; h += HOUR) hours.push(h);
      const m = truth.pageviews.get(url)!;
      expect(ans.buckets.map((x) => [x.start, x.value, x.source])).toEqual(hours.map((h) => [iso(h), m.get(h) ?? 0, sourceOf(h, wm)]));
      expect(ans.value).toBe(hours.reduce((n, h) => n + (m.get(h) ?? 0), 0));
    });
  });

  it('answers uniques per hour and over ranges as a HyperLogLog of the exact visitor sets (batch and realtime merged)', async () => {
    const urls = urlsByTotal(truth).slice(0, 6).map((x) => x.url);
    const answers = await pool(urls, 3, (u) => lambda.query('uniques', u, ...whole()));
    for (const [i, a] of answers.entries()) {
      const m = truth.uniques.get(urls[i]!)!;
      const sets = truth.hours.map((h) => [...(m.get(h) ?? [])]);
      const union = [...new Set(sets.flat())];
      const want = await cells.hllOf([...sets, union]);
      expect(a.buckets.map((b) => b.value), urls[i]).toEqual(want.slice(0, -1));
      expect(a.value).toBe(want[want.length - 1]);
    }
  });

  it('answers bounces: exact where batch, each half\'s own visits summed where realtime (a visit spanning the runs counts twice)', async () => {
    const wm = watermarkOf(batch1, 'bounces');
    expect(wm).toBe(watermarkOf(batch1, 'pageviews') - 30 * 60_000);
    const a = await lambda.query<Bounce>('bounces', 'semicomplete.com', ...whole());
    const at = (t: Truth, h: number): [number, number] => [t.bounces.get('semicomplete.com')?.get(h)?.visits ?? 0, t.bounces.get('semicomplete.com')?.get(h)?.bounces ?? 0];
    const want = truth.hours.map((h) => {
      if (sourceOf(h, wm) === 'batch') return [iso(h), 'batch', ...at(truth, h)];
      const [v1, b1] = at(firstTruth, h);
      const [v2, b2] = at(secondTruth, h);
      return [iso(h), 'realtime', v1 + v2, b1 + b2];
    });
    expect(a.buckets.map((b) => [b.start, b.source, b.value.visits, b.value.bounces])).toEqual(want);
  });

  it('never changes a rolled master file across the second run, and compaction then a new batch lose nothing', async () => {
    expect(afterFirst.size).toBeGreaterThan(0);
    expect(changed(afterFirst, afterSecond)).toEqual([]);
    for (const p of afterFirst.keys()) expect(afterSecond.has(p)).toBe(true);
    for (const f of afterSecond.values()) expect(f.mode & 0o222).toBe(0);
    await lambda.compact();
    const compacted = fingerprints(lambda.master);
    expect(changed(afterSecond, compacted)).toEqual([]);
    expect(compacted.size).toBeLessThan(afterSecond.size);
    const b2 = await lambda.batch();
    expect(changed(afterSecond, fingerprints(lambda.master))).toEqual([]);
    expect(b2.records).toBe(halves.all.length);
    expect(b2.duplicates).toBe(halves.all.length - truth.events);
    const wm = watermarkOf(b2, 'pageviews');
    const url = urlsByTotal(truth)[0]!.url;
    const a = await lambda.query('pageviews', url, ...whole());
    expect(a.buckets.map((b) => [b.value, b.source])).toEqual(truth.hours.map((h) => [truth.pageviews.get(url)!.get(h) ?? 0, sourceOf(h, wm)]));
    const bwm = watermarkOf(b2, 'bounces');
    const bo = await lambda.query<Bounce>('bounces', 'semicomplete.com', ...whole());
    const exact = truth.bounces.get('semicomplete.com')!;
    for (const [i, h] of truth.hours.entries()) {
      if (sourceOf(h, bwm) !== 'batch') continue;
      expect([bo.buckets[i]!.value.visits, bo.buckets[i]!.value.bounces], iso(h)).toEqual([exact.get(h)?.visits ?? 0, exact.get(h)?.bounces ?? 0]);
    }
  });
});
