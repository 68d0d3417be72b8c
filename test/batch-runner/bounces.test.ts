/**
 * The batch bounces reducer groups hits per visitor and domain instead of calling visitsOf;
 * it must give the same counts as visitsOf + bounceCounts on any input (gaps just under, at
 * and over 30 minutes, equal times, several domains per visitor).
 */
import { describe, expect, it } from 'vitest';
import { pageviewsBatchInput } from '../../topologies/pageviews/batch-input.js';
import { bounceCounts, visitsOf, VISIT_GAP_MS } from '../../topologies/pageviews/sessions.js';
import { bouncesView } from '../../topologies/pageviews/views.js';
import type { PageKeys } from '../../topologies/pageviews/event.js';
import { T0 } from './fixture.js';

describe('bounces reducer', () => {
  it('equals visitsOf + bounceCounts on random hits', () => {
    let s = 7;
    const rnd = (n: number): number => Math.floor(((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32) * n);
    const steps = [0, 1, VISIT_GAP_MS - 1, VISIT_GAP_MS, VISIT_GAP_MS + 1, 5 * 60_000, 3 * 3_600_000];
    const events: PageKeys[] = [];
    const clock = new Map<string, number>();
    for (let i = 0; i < 5000; i++) {
      const visitor = `v${rnd(60)}`;
      const domain = `d${rnd(3)}.example`;
      const k = `${visitor} ${domain}`;
      const ts = (clock.get(k) ?? T0 + rnd(10) * 3_600_000) + steps[rnd(steps.length)]!;
      clock.set(k, ts);
      events.push({ visitor, domain, url: `http://${domain}/p${rnd(5)}`, ts });
    }
    events.sort(() => rnd(3) - 1);
    const sortKey = (c: { domain: string; bucket: number }): string => `${c.domain} ${c.bucket}`;
    const want = bounceCounts(visitsOf(events), bouncesView.bucketMs)
      .map((c) => ({ key: c.domain, bucket: c.bucket, fields: { visits: c.visits, bounces: c.bounces } }))
      .sort((a, b) => sortKey({ domain: a.key, bucket: a.bucket }).localeCompare(sortKey({ domain: b.key, bucket: b.bucket })));
    const got = pageviewsBatchInput.reducers!['bounces']!.reduce(events, bouncesView)
      .map((u) => ({ key: u.key, bucket: u.bucket, fields: u.fields }))
      .sort((a, b) => sortKey({ domain: a.key, bucket: a.bucket }).localeCompare(sortKey({ domain: b.key, bucket: b.bucket })));
    expect(want.length).toBeGreaterThan(50);
    expect(want.some((c) => c.fields.bounces > 0 && c.fields.bounces < c.fields.visits)).toBe(true);
    expect(got).toEqual(want);
    // Fed one event at a time (as the runner does): the same updates.
    const acc = pageviewsBatchInput.reducers!['bounces']!.accumulate!(bouncesView);
    for (const e of events) acc.add(e);
    const fed = acc.finish()
      .map((u) => ({ key: u.key, bucket: u.bucket, fields: u.fields }))
      .sort((a, b) => sortKey({ domain: a.key, bucket: a.bucket }).localeCompare(sortKey({ domain: b.key, bucket: b.bucket })));
    expect(fed).toEqual(want);
  });
});
