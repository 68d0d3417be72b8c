import { describe, expect, it } from 'vitest';
import { DEFAULT_LATENESS_MS, Sessionizer, VISIT_GAP_MS, visitsOf, type Hit, type Visit } from '../../topologies/pageviews/index.js';
import { seededRandom as rng } from '../helpers/random.js';


const T0 = 1431820800000; // 2015-05-17T00:00:00Z

/**
 * Random pageviews: a few visitors on a few domains, with gaps drawn to land on and around
 * the 30-minute boundary as often as far from it, and some repeated timestamps.
 */
function randomHits(rand: () => number, n: number): Hit[] {
  const gaps = [0, 1, 1000, 60_000, 10 * 60_000, VISIT_GAP_MS - 1, VISIT_GAP_MS, VISIT_GAP_MS + 1, 45 * 60_000, 3 * 3_600_000];
  const hits: Hit[] = [];
  const last = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const visitor = `v${Math.floor(rand() * 6)}`;
    const domain = ['semicomplete.com', 'www.semicomplete.com', 'a.org'][Math.floor(rand() * 3)]!;
    const key = `${visitor} ${domain}`;
    const gap = rand() < 0.7 ? gaps[Math.floor(rand() * gaps.length)]! : Math.floor(rand() * 40 * 60_000);
    const ts = (last.get(key) ?? T0 + Math.floor(rand() * 3_600_000)) + gap;
    last.set(key, ts);
    hits.push({ visitor, domain, ts });
  }
  return hits;
}

const order = (vs: Visit[]): Visit[] =>
  [...vs].sort((a, b) => (a.visitor < b.visitor ? -1 : a.visitor > b.visitor ? 1 : a.domain < b.domain ? -1 : a.domain > b.domain ? 1 : a.firstTs - b.firstTs));

/**
 * Arrival order: by ts plus a delay under the lateness. An event then arrives at most (its
 * delay - the other's delay) < lateness behind any event that came before it.
 */
function arrivalsOf(hits: Hit[], rand: () => number): Hit[] {
  return hits
    .map((h) => ({ h, key: h.ts + Math.floor(rand() * DEFAULT_LATENESS_MS) }))
    .sort((a, b) => a.key - b.key)
    .map((x) => x.h);
}

/** Feeds `arrivals` to a Sessionizer, advancing event time now and then, and collects every visit. */
function stream(arrivals: Hit[], rand: () => number): { visits: Visit[]; late: number } {
  const s = new Sessionizer();
  const visits: Visit[] = [];
  let late = 0;
  for (const h of arrivals) {
    if (s.add(h) === 'late') late++;
    if (rand() < 0.3) visits.push(...s.advance(s.eventTime));
  }
  visits.push(...s.closeAll());
  return { visits, late };
}

describe('Sessionizer agrees with visitsOf', () => {
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    it(`on in-order input (seed ${seed})`, () => {
      const rand = rng(seed);
      const hits = randomHits(rand, 400).sort((a, b) => a.ts - b.ts);
      const { visits, late } = stream(hits, rand);
      expect(late).toBe(0);
      expect(order(visits)).toEqual(order(visitsOf(hits)));
    });

    it(`on input out of order by less than the lateness (seed ${seed})`, () => {
      const rand = rng(seed + 100);
      const hits = randomHits(rand, 400);
      const arrivals = arrivalsOf(hits, rand);
      const { visits, late } = stream(arrivals, rand);
      expect(late).toBe(0);
      expect(order(visits)).toEqual(order(visitsOf(hits)));
    });
  }

  it('the generated arrivals are out of order and make late pageviews bridge visits (the test is not vacuous)', () => {
    let inversions = 0;
    let bridges = 0;
    let bounces = 0;
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const rand = rng(seed + 100);
      const arrivals = arrivalsOf(randomHits(rand, 400), rand);
      const s = new Sessionizer();
      for (let i = 0; i < arrivals.length; i++) {
        if (i > 0 && arrivals[i]!.ts < arrivals[i - 1]!.ts) inversions++;
        const before = s.openVisits;
        s.add(arrivals[i]!);
        if (s.openVisits < before) bridges++;
      }
      bounces += s.closeAll().filter((v) => v.count === 1).length;
    }
    expect(inversions).toBeGreaterThan(100);
    expect(bridges).toBeGreaterThan(0);
    expect(bounces).toBeGreaterThan(0);
  });

  it('on input out of order by more than the lateness, it may disagree and says so (late)', () => {
    const s = new Sessionizer();
    const hits: Hit[] = [
      { visitor: 'a', domain: 'x', ts: T0 },
      { visitor: 'b', domain: 'x', ts: T0 + 40 * 60_000 },
      { visitor: 'a', domain: 'x', ts: T0 + 20 * 60_000 },
    ];
    const visits: Visit[] = [];
    let late = 0;
    for (const h of hits) {
      if (s.add(h) === 'late') late++;
      visits.push(...s.advance(s.eventTime));
    }
    visits.push(...s.closeAll());
    expect(late).toBe(1);
    expect(visits.length).toBe(visitsOf(hits).length + 1);
  });
});
