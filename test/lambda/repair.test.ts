/**
 * Eventual accuracy: what the batch layer repairs. A deliberately wrong speed layer
 * (fixtures/doubled-pageviews.ts sends every update twice) makes `topo query` wrong; the next
 * `topo batch` over the master dataset that same run wrote makes every covered bucket right.
 * Then a changed URL rule (fixtures/flav-normaliser.ts also drops `flav`) is applied to all
 * covered history by rerunning `topo batch` with it over the same, unchanged, dataset.
 * Expectations come from the independent reference (test/pageviews-e2e/reference.ts).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt } from '../cli/run-cli.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { pool } from '../pageviews-e2e/harness.js';
import { HOUR, iso, refEvents, truthOf, urlsByTotal, type RefEvent, type Truth } from '../pageviews-e2e/reference.js';
import { changed, fingerprints, Lambda, lambdaFixture, SHIPPED_LOG, type BatchJson } from './lambda.js';

let server: RedisServer, lambda: Lambda, tmp: string, events: RefEvent[], truth: Truth;

/** The new rule, written independently: drop `flav` pairs from the normalised query. */
function refWithoutFlav(url: string): string {
  const [base, query] = url.split('?') as [string, string | undefined];
  const kept = (query ?? '').split('&').filter((p) => p !== '' && p !== 'flav' && !p.startsWith('flav='));
  return kept.length === 0 ? base : `${base}?${kept.join('&')}`;
}

beforeAll(async () => {
  assertBuilt();
  server = await startRedis();
  tmp = mkdtempSync(join(tmpdir(), 'topo-lambda-repair-'));
  events = refEvents(readFileSync(SHIPPED_LOG, 'utf8')).events;
  truth = truthOf(events);
  lambda = new Lambda(server.url, join(tmp, 'master'), tmp);
  await lambda.run(SHIPPED_LOG, lambdaFixture('doubled-pageviews.ts'));
}, 120_000);

afterAll(async () => {
  await server?.dispose();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const whole = (): [string, string] => [iso(truth.hours[0]!), iso(truth.hours[truth.hours.length - 1]! + HOUR - 1)];
const urls = (): string[] => urlsByTotal(truth).slice(0, 6).map((x) => x.url);
let batch: BatchJson;

describe('the batch layer repairs the speed layer and applies a new rule to all history', () => {
  it('a doubled speed layer is wrong before the batch run and right after it for every covered bucket', async () => {
    const before = await pool(urls(), 3, (u) => lambda.query('pageviews', u, ...whole()));
    before.forEach((a, i) => {
      const m = truth.pageviews.get(urls()[i]!)!;
      expect(a.watermark).toBeNull();
      expect(a.buckets.map((b) => [b.value, b.source])).toEqual(truth.hours.map((h) => [2 * (m.get(h) ?? 0), 'realtime']));
    });
    const bounceBefore = await lambda.query<{ visits: number }>('bounces', 'semicomplete.com', ...whole());
    const visits = [...truth.bounces.get('semicomplete.com')!.values()].reduce((n, c) => n + c.visits, 0);
    expect(bounceBefore.value.visits).toBe(2 * visits);

    batch = await lambda.batch();
    const wm = Date.parse(batch.views[0]!.watermark);
    const after = await pool(urls(), 3, (u) => lambda.query('pageviews', u, ...whole()));
    after.forEach((a, i) => {
      const m = truth.pageviews.get(urls()[i]!)!;
      // Covered buckets are the batch's (right); the one holding the watermark is still the speed layer's.
      expect(a.buckets.map((b) => [b.value, b.source])).toEqual(truth.hours.map((h) =>
        h + HOUR <= wm ? [m.get(h) ?? 0, 'batch'] : [2 * (m.get(h) ?? 0), 'realtime']));
    });
    expect(after.some((a) => a.buckets.filter((b) => b.source === 'batch').length === truth.hours.length - 1)).toBe(true);
  });

  it('a changed URL normaliser, rerun as a batch over the same dataset, changes every covered answer accordingly', async () => {
    const files = fingerprints(lambda.master);
    const flavTruth = truthOf(events.map((e) => ({ ...e, url: refWithoutFlav(e.url) })));
    const flavUrls = [...truth.pageviews.keys()].filter((u) => /[?&]flav=/.test(u));
    expect(flavUrls.length).toBeGreaterThanOrEqual(3);
    const oldRule = await lambda.query('pageviews', flavUrls[0]!, ...whole());
    expect(oldRule.value).toBeGreaterThan(0);

    const b = await lambda.batch(lambdaFixture('flav-normaliser.ts'));
    const wm = Date.parse(b.views[0]!.watermark);
    expect(wm).toBe(Date.parse(batch.views[0]!.watermark));
    expect(b.views[0]!.keys).toBeLessThan(batch.views[0]!.keys);
    const fixture = lambdaFixture('flav-normaliser.ts');
    const targets = [...new Set(flavUrls.slice(0, 8).map(refWithoutFlav))];
    const answers = await pool(targets, 3, (u) => lambda.query('pageviews', u, ...whole(), fixture));
    let grew = 0;
    answers.forEach((a, i) => {
      const m = flavTruth.pageviews.get(targets[i]!)!;
      expect(a.key).toBe(targets[i]);
      const covered = a.buckets.filter((x) => Date.parse(x.start) + HOUR <= wm);
      expect(covered.map((x) => [x.value, x.source]), targets[i]).toEqual(covered.map((x) => [m.get(Date.parse(x.start)) ?? 0, 'batch']));
      grew += covered.reduce((n, x) => n + x.value - (truth.pageviews.get(targets[i]!)?.get(Date.parse(x.start)) ?? 0), 0);
    });
    // The flav pageviews moved onto their base URLs.
    expect(grew).toBeGreaterThan(0);
    // Under the old rule's name a flav URL now has no batch history at all.
    const gone = await lambda.query('pageviews', flavUrls[0]!, ...whole());
    expect(gone.buckets.filter((x) => x.source === 'batch').every((x) => x.value === 0)).toBe(true);
    expect(changed(files, fingerprints(lambda.master))).toEqual([]);
  });
});
