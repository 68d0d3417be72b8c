/**
 * Sessionization for the `bounces` view. A visit is a visitor's run of pageviews on one
 * domain with gaps under 30 minutes; a bounce is a visit of exactly one pageview; a visit
 * belongs to the time bucket of its first pageview.
 *
 * Two implementations of the one definition: {@link visitsOf} computes visits exactly over
 * all data (the batch layer), and {@link Sessionizer} computes them on a stream whose events
 * may arrive out of order by up to an allowed lateness (the speed layer). On input that is
 * in order, or out of order by less than the lateness, both give the same visits; a test
 * checks that on random input.
 */
import { MinHeap } from './min-heap.js';

/** A pageview as sessionization sees it: who, on which domain, when (epoch ms). */
export interface Hit {
  readonly visitor: string;
  readonly domain: string;
  readonly ts: number;
}

/** A closed visit. `count === 1` is a bounce. */
export interface Visit {
  readonly domain: string;
  readonly visitor: string;
  /** Time of the first pageview: the visit's bucket. */
  readonly firstTs: number;
  readonly lastTs: number;
  /** Pageviews in the visit. */
  readonly count: number;
}

/** A visit ends after this much time without a pageview: 30 minutes. */
export const VISIT_GAP_MS = 30 * 60_000;
/** Default allowed lateness of events: 5 minutes of event time. */
export const DEFAULT_LATENESS_MS = 5 * 60_000;

function compareHits(a: Hit, b: Hit): number {
  // Plain code-unit comparison: deterministic and locale-free, unlike localeCompare.
  if (a.visitor !== b.visitor) return a.visitor < b.visitor ? -1 : 1;
  if (a.domain !== b.domain) return a.domain < b.domain ? -1 : 1;
  return a.ts - b.ts;
}

/**
 * All visits of a set of pageviews, exactly: sorted by visitor, domain and time, a new visit
 * starts where the gap to the previous pageview is 30 minutes or more. Visits come out in
 * that order (visitor, domain, first pageview). Does not modify `hits`.
 */
export function visitsOf(hits: Iterable<Hit>, gapMs: number = VISIT_GAP_MS): Visit[] {
  const sorted = [...hits].sort(compareHits);
  const out: Visit[] = [];
  let cur: { domain: string; visitor: string; firstTs: number; lastTs: number; count: number } | null = null;
  for (const h of sorted) {
    if (cur !== null && cur.visitor === h.visitor && cur.domain === h.domain && h.ts - cur.lastTs < gapMs) {
      cur.lastTs = h.ts;
      cur.count++;
      continue;
    }
    if (cur !== null) out.push(cur);
    cur = { domain: h.domain, visitor: h.visitor, firstTs: h.ts, lastTs: h.ts, count: 1 };
  }
  if (cur !== null) out.push(cur);
  return out;
}

/** Visits and bounces of one domain in one bucket: what the `bounces` view stores. */
export interface BounceCount {
  readonly domain: string;
  /** Bucket start, epoch ms (UTC-aligned). */
  readonly bucket: number;
  readonly visits: number;
  readonly bounces: number;
}

/**
 * Visits and bounces per (domain, bucket of the first pageview); bucket width default one
 * hour. Summing these over a range and dividing gives the bounce rate of the range.
 */
export function bounceCounts(visits: Iterable<Visit>, bucketMs: number = 3_600_000): BounceCount[] {
  const acc = new Map<string, { domain: string; bucket: number; visits: number; bounces: number }>();
  for (const v of visits) {
    const bucket = Math.floor(v.firstTs / bucketMs) * bucketMs;
    const key = `${v.domain}\u0000${bucket}`;
    let c = acc.get(key);
    if (c === undefined) acc.set(key, (c = { domain: v.domain, bucket, visits: 0, bounces: 0 }));
    c.visits++;
    if (v.count === 1) c.bounces++;
  }
  return [...acc.values()];
}

/** Options of {@link Sessionizer}. */
export interface SessionizerOptions {
  /** Gap that ends a visit, ms; default 30 minutes. */
  readonly gapMs?: number;
  /** How far behind the latest event time an event may arrive, ms; default 5 minutes. */
  readonly latenessMs?: number;
}

interface OpenVisit {
  readonly domain: string;
  readonly visitor: string;
  firstTs: number;
  lastTs: number;
  count: number;
  /** False once closed or merged into another visit: its heap entries are then stale. */
  alive: boolean;
}

function snapshot(v: OpenVisit): Visit {
  return { domain: v.domain, visitor: v.visitor, firstTs: v.firstTs, lastTs: v.lastTs, count: v.count };
}

/**
 * Streaming visits on event time, keyed by (visitor, domain). Events may arrive out of order
 * by up to `latenessMs`: an event inside an open visit extends it, one before its first
 * pageview moves its start (and so its bucket), and one that comes within the gap of two
 * open visits merges them into one.
 *
 * A visit closes when event time has passed its last pageview by the gap plus the lateness:
 * by then no event that is not late can reach it. An event later than the lateness (older
 * than the latest event time seen minus `latenessMs`) is still counted, never dropped; if
 * its visit was closed already it starts a new one, so it may count one visit too many.
 * {@link Sessionizer.add} reports it as `late` so the caller can count that.
 */
export class Sessionizer {
  readonly gapMs: number;
  readonly latenessMs: number;
  /** Open visits per (visitor, domain), sorted by first pageview; nearly always one. */
  private readonly open = new Map<string, OpenVisit[]>();
  /** Each visit at the event time it may close; entries go stale when a visit grows. */
  private due = new MinHeap<OpenVisit>();
  private clock = -Infinity;

  constructor(options: SessionizerOptions = {}) {
    this.gapMs = options.gapMs ?? VISIT_GAP_MS;
    this.latenessMs = options.latenessMs ?? DEFAULT_LATENESS_MS;
    if (!(this.gapMs > 0) || !(this.latenessMs >= 0)) {
      throw new RangeError(`gapMs must be > 0 and latenessMs >= 0, got ${this.gapMs} and ${this.latenessMs}`);
    }
  }

  /** Number of open visits. */
  get openVisits(): number {
    let n = 0;
    for (const list of this.open.values()) n += list.length;
    return n;
  }

  /** Latest event time seen by `add` or passed to `advance`. */
  get eventTime(): number {
    return this.clock;
  }

  /** Adds one pageview. Returns `late` when it is older than the allowed lateness (still counted). */
  add(hit: Hit): 'ok' | 'late' {
    const late = hit.ts < this.clock - this.latenessMs;
    if (hit.ts > this.clock) this.clock = hit.ts;
    const key = `${hit.visitor}\u0000${hit.domain}`;
    let list = this.open.get(key);
    if (list === undefined) this.open.set(key, (list = []));
    // Visits this pageview joins: those it is within the gap of. Open visits of one key are
    // at least a gap apart, so that is at most two (a pageview bridging them).
    let first = -1;
    let last = -1;
    for (let i = 0; i < list.length; i++) {
      const v = list[i]!;
      if (hit.ts > v.firstTs - this.gapMs && hit.ts < v.lastTs + this.gapMs) {
        if (first < 0) first = i;
        last = i;
      }
    }
    if (first < 0) {
      const v: OpenVisit = { domain: hit.domain, visitor: hit.visitor, firstTs: hit.ts, lastTs: hit.ts, count: 1, alive: true };
      let at = 0;
      while (at < list.length && list[at]!.firstTs < hit.ts) at++;
      list.splice(at, 0, v);
      this.schedule(v);
      return late ? 'late' : 'ok';
    }
    const target = list[first]!;
    const before = target.lastTs;
    target.count++;
    if (hit.ts < target.firstTs) target.firstTs = hit.ts;
    if (hit.ts > target.lastTs) target.lastTs = hit.ts;
    for (const other of list.splice(first + 1, last - first)) {
      target.count += other.count;
      if (other.lastTs > target.lastTs) target.lastTs = other.lastTs;
      other.alive = false;
    }
    if (target.lastTs > before) this.schedule(target);
    return late ? 'late' : 'ok';
  }

  /**
   * Moves event time to `eventTimeMs` (the latest event time seen, e.g. on a tick; lateness
   * is allowed for inside) and returns the visits whose last pageview is now at least
   * `gapMs + latenessMs` in the past, in the order they became due.
   */
  advance(eventTimeMs: number): Visit[] {
    if (eventTimeMs > this.clock) this.clock = eventTimeMs;
    const out: Visit[] = [];
    while (this.due.peekPriority() <= this.clock) {
      const v = this.due.pop()!;
      // Stale entry: the visit grew (a newer entry exists), merged or closed already.
      if (!v.alive || v.lastTs + this.gapMs + this.latenessMs > this.clock) continue;
      this.close(v);
      out.push(snapshot(v));
    }
    return out;
  }

  /** Closes and returns every open visit (the end of a run), by first pageview. */
  closeAll(): Visit[] {
    const out: Visit[] = [];
    for (const list of this.open.values()) for (const v of list) out.push(snapshot(v));
    this.open.clear();
    this.due = new MinHeap<OpenVisit>();
    return out.sort((a, b) => a.firstTs - b.firstTs || compareHits({ ...a, ts: 0 }, { ...b, ts: 0 }));
  }

  /** The open visits of (visitor, domain) as [firstTs, lastTs, count]: what a checkpoint keeps. */
  openOf(visitor: string, domain: string): Array<[number, number, number]> {
    return (this.open.get(`${visitor}\u0000${domain}`) ?? []).map((v) => [v.firstTs, v.lastTs, v.count]);
  }

  /** Reopen what {@link openOf} returned, and move event time to `eventTimeMs` (a checkpoint's). */
  restore(visitor: string, domain: string, visits: ReadonlyArray<readonly [number, number, number]>, eventTimeMs = -Infinity): void {
    if (eventTimeMs > this.clock) this.clock = eventTimeMs;
    if (visits.length === 0) return;
    const list = visits.map(([firstTs, lastTs, count]): OpenVisit => ({ domain, visitor, firstTs, lastTs, count, alive: true }));
    this.open.set(`${visitor}\u0000${domain}`, list);
    for (const v of list) this.schedule(v);
  }

  private schedule(v: OpenVisit): void {
    this.due.push(v.lastTs + this.gapMs + this.latenessMs, v);
  }

  private close(v: OpenVisit): void {
    v.alive = false;
    const key = `${v.visitor}\u0000${v.domain}`;
    const list = this.open.get(key);
    if (list === undefined) return;
    const i = list.indexOf(v);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.open.delete(key);
  }
}
