import { describe, expect, it } from 'vitest';
import { Sessionizer, bounceCounts, visitsOf, type Hit, type Visit } from '../../topologies/pageviews/index.js';

const MIN = 60_000;
const H10 = 1431856800000; // 2015-05-17T10:00:00Z
const at = (minutes: number): number => H10 + minutes * MIN;
const hit = (visitor: string, domain: string, minutes: number): Hit => ({ visitor, domain, ts: at(minutes) });
const visit = (visitor: string, domain: string, first: number, last: number, count: number): Visit => ({
  domain, visitor, firstTs: at(first), lastTs: at(last), count,
});

describe('visitsOf (batch, exact)', () => {
  it('splits a visitor-domain run at gaps of 30 minutes or more', () => {
    const hits = [
      hit('a', 'x.com', 70), hit('a', 'x.com', 0), hit('a', 'x.com', 10), hit('a', 'x.com', 39.99),
      hit('b', 'x.com', 5), hit('a', 'www.x.com', 1), hit('a', 'x.com', 100), hit('a', 'x.com', 100),
    ];
    expect(visitsOf(hits)).toEqual([
      visit('a', 'www.x.com', 1, 1, 1),
      visit('a', 'x.com', 0, 39.99, 3), // gaps 10 and 29.99 minutes
      visit('a', 'x.com', 70, 70, 1), // gap 30.01 minutes: a new visit, a bounce
      visit('a', 'x.com', 100, 100, 2), // gap exactly 30 minutes: new visit; same-ts views both count
      visit('b', 'x.com', 5, 5, 1),
    ]);
  });

  it('does not modify its input and handles none', () => {
    const hits = [hit('a', 'x.com', 5), hit('a', 'x.com', 1)];
    visitsOf(hits);
    expect(hits[0]!.ts).toBe(at(5));
    expect(visitsOf([])).toEqual([]);
  });
});

describe('bounceCounts', () => {
  it('counts visits and bounces per domain in the hour of the first pageview', () => {
    const visits = [visit('a', 'x.com', 50, 80, 3), visit('b', 'x.com', 59.99, 59.99, 1), visit('c', 'x.com', 60, 60, 1), visit('a', 'y.com', 1, 1, 1)];
    const counts = bounceCounts(visits).sort((p, q) => p.domain.localeCompare(q.domain) || p.bucket - q.bucket);
    expect(counts).toEqual([
      { domain: 'x.com', bucket: at(0), visits: 2, bounces: 1 }, // the 50-80 visit stays in 10:00
      { domain: 'x.com', bucket: at(60), visits: 1, bounces: 1 },
      { domain: 'y.com', bucket: at(0), visits: 1, bounces: 1 },
    ]);
  });
});

describe('Sessionizer (stream, event time)', () => {
  it('closes a visit once event time passes its last pageview by 30 + 5 minutes', () => {
    const s = new Sessionizer();
    for (const m of [0, 10, 25]) s.add(hit('a', 'x.com', m));
    s.add(hit('b', 'x.com', 3));
    expect(s.advance(at(38) - 1)).toEqual([]); // b's last + 35 min is 38
    expect(s.advance(at(38))).toEqual([visit('b', 'x.com', 3, 3, 1)]);
    expect(s.advance(at(59))).toEqual([]);
    expect(s.advance(at(60))).toEqual([visit('a', 'x.com', 0, 25, 3)]);
    expect(s.openVisits).toBe(0);
  });

  it('starts a new visit after a gap of 30 minutes, even before the old one is closed', () => {
    const s = new Sessionizer();
    s.add(hit('a', 'x.com', 0));
    s.add(hit('a', 'x.com', 30));
    expect(s.openVisits).toBe(2);
    expect(s.closeAll()).toEqual([visit('a', 'x.com', 0, 0, 1), visit('a', 'x.com', 30, 30, 1)]);
  });

  it('keeps visitors and domains apart', () => {
    const s = new Sessionizer();
    s.add(hit('a', 'x.com', 0));
    s.add(hit('a', 'www.x.com', 1));
    s.add(hit('b', 'x.com', 2));
    expect(s.closeAll()).toEqual([visit('a', 'x.com', 0, 0, 1), visit('a', 'www.x.com', 1, 1, 1), visit('b', 'x.com', 2, 2, 1)]);
  });

  it('extends a visit with a pageview that arrives late within the lateness', () => {
    const s = new Sessionizer();
    expect(s.add(hit('a', 'x.com', 0))).toBe('ok');
    expect(s.add(hit('a', 'x.com', 20))).toBe('ok');
    expect(s.add(hit('a', 'x.com', 18))).toBe('ok'); // 2 minutes behind
    expect(s.advance(at(55))).toEqual([visit('a', 'x.com', 0, 20, 3)]);
  });

  it('moves the first pageview (and so the hour bucket) back for a late pageview', () => {
    const s = new Sessionizer();
    s.add(hit('a', 'x.com', 61));
    s.add(hit('a', 'x.com', 58)); // 3 minutes behind, before the visit began: 10:58
    const [v] = s.closeAll();
    expect(v).toEqual(visit('a', 'x.com', 58, 61, 2));
    expect(bounceCounts([v!])).toEqual([{ domain: 'x.com', bucket: at(0), visits: 1, bounces: 0 }]);
  });

  it('merges two open visits that a late pageview bridges', () => {
    const s = new Sessionizer();
    s.add(hit('a', 'x.com', 0));
    s.add(hit('a', 'x.com', 31)); // 31-minute gap: a second visit
    expect(s.openVisits).toBe(2);
    s.add(hit('a', 'x.com', 29)); // 2 minutes late; within 30 of both
    expect(s.openVisits).toBe(1);
    expect(s.advance(at(31 + 35))).toEqual([visit('a', 'x.com', 0, 31, 3)]);
  });

  it('merges across a wide bridge when the lateness allows it', () => {
    const s = new Sessionizer({ latenessMs: 30 * MIN });
    s.add(hit('a', 'x.com', 0));
    s.add(hit('a', 'x.com', 2));
    s.add(hit('a', 'x.com', 40));
    s.add(hit('a', 'x.com', 45));
    expect(s.advance(at(45))).toEqual([]); // the first visit (last at 2) may still be bridged
    expect(s.add(hit('a', 'x.com', 20))).toBe('ok'); // 25 minutes behind: allowed
    expect(s.closeAll()).toEqual([visit('a', 'x.com', 0, 45, 5)]);
  });

  it('reports a pageview later than the lateness as late and still counts it', () => {
    const s = new Sessionizer();
    s.add(hit('a', 'x.com', 0));
    s.add(hit('b', 'x.com', 40));
    expect(s.advance(at(40))).toEqual([visit('a', 'x.com', 0, 0, 1)]);
    expect(s.add(hit('a', 'x.com', 10))).toBe('late'); // its visit closed already: a new one
    expect(s.add(hit('b', 'x.com', 36))).toBe('ok'); // 4 minutes behind: not late
    expect(s.closeAll()).toEqual([visit('a', 'x.com', 10, 10, 1), visit('b', 'x.com', 36, 40, 2)]);
  });

  it('closeAll closes every open visit, once', () => {
    const s = new Sessionizer();
    s.add(hit('a', 'x.com', 0));
    s.add(hit('a', 'x.com', 5));
    s.add(hit('c', 'y.com', 1));
    expect(s.closeAll()).toEqual([visit('a', 'x.com', 0, 5, 2), visit('c', 'y.com', 1, 1, 1)]);
    expect(s.closeAll()).toEqual([]);
    expect(s.advance(at(1000))).toEqual([]);
  });

  it('rejects nonsense options', () => {
    expect(() => new Sessionizer({ gapMs: 0 })).toThrow(RangeError);
    expect(() => new Sessionizer({ latenessMs: -1 })).toThrow(RangeError);
  });
});
