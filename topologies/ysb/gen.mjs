// The Yahoo Streaming Benchmark's data, deterministic from a seed (plain ESM so that the
// topology, the `ysb` script and the check share it without a TypeScript loader).
//
// The original (github yahoo/streaming-benchmarks, data/src/setup/core.clj) draws random
// UUIDs and random fields per event. Here every draw is a hash of (seed, event number, draw),
// so event n can be rebuilt on its own: a replayed tuple carries the same event, and the
// check recomputes every window's exact count without keeping the events.

/** 100 campaigns x 10 ads, pools of 100 users and pages, as the original setup. */
export const CAMPAIGNS = 100;
export const ADS_PER_CAMPAIGN = 10;
export const ADS = CAMPAIGNS * ADS_PER_CAMPAIGN;
export const POOL = 100;
export const WINDOW_MS = 10_000;
export const AD_TYPES = ['banner', 'modal', 'sponsored-search', 'mail', 'mobile'];
export const EVENT_TYPES = ['view', 'click', 'purchase'];

/** murmur3's 32-bit finaliser: a well-spread hash of a 32-bit integer. */
function fmix(h) {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A uniform 32-bit draw number `k` of item `n` under `seed` (n may exceed 2^32). */
function draw(seed, n, k) {
  const lo = n >>> 0;
  const hi = Math.floor(n / 4294967296) >>> 0;
  return fmix(fmix(fmix(seed ^ 0x9e3779b9) ^ lo) ^ fmix(hi + 0x632be5ab) ^ Math.imul(k + 1, 0x27d4eb2f));
}

/** A UUID-shaped id (the original uses random UUIDs), item `n` of id space `space`. */
function uuid(seed, space, n) {
  const hex = [0, 1, 2, 3].map((k) => draw(seed ^ Math.imul(space, 0x165667b1), n, k).toString(16).padStart(8, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** The setup: campaign ids, ad ids (ad i belongs to campaign floor(i / 10)), user and page pools. */
export function setupOf(seed) {
  const campaigns = Array.from({ length: CAMPAIGNS }, (_, i) => uuid(seed, 1, i));
  const ads = Array.from({ length: ADS }, (_, i) => uuid(seed, 2, i));
  const users = Array.from({ length: POOL }, (_, i) => uuid(seed, 3, i));
  const pages = Array.from({ length: POOL }, (_, i) => uuid(seed, 4, i));
  const campaignOfAd = new Map(ads.map((ad, i) => [ad, campaigns[Math.floor(i / ADS_PER_CAMPAIGN)]]));
  return { seed, campaigns, ads, users, pages, campaignOfAd };
}

/**
 * Event n of a run: its scheduled emit time is start + n / rate, and event_time is that time
 * (plus, with skew, +-50 ms and 1 in 100,000 events up to 60 s late, as the original's -w).
 */
export function drawEvent(run, n) {
  const s = run.seed;
  const scheduled = run.start + Math.floor((n * 1000) / run.rate);
  let time = scheduled;
  if (run.skew) {
    time += 50 - (draw(s, n, 6) % 100);
    if (draw(s, n, 7) % 100_000 === 0) time -= draw(s, n, 8) % 60_000;
  }
  return {
    user: draw(s, n, 0) % POOL,
    page: draw(s, n, 1) % POOL,
    ad: draw(s, n, 2) % ADS,
    adType: draw(s, n, 3) % AD_TYPES.length,
    eventType: draw(s, n, 4) % EVENT_TYPES.length,
    scheduled,
    time,
  };
}

/** Event n as the JSON line the original sends to Kafka (event_time a string of epoch ms). */
export function eventLine(setup, run, n) {
  const e = drawEvent(run, n);
  return `{"user_id":"${setup.users[e.user]}","page_id":"${setup.pages[e.page]}","ad_id":"${setup.ads[e.ad]}","ad_type":"${AD_TYPES[e.adType]}","event_type":"${EVENT_TYPES[e.eventType]}","event_time":"${e.time}","ip_address":"1.2.3.4"}`;
}

/**
 * The events a run emitted, from its record (`ysb:run`): generator task i of k emits event
 * numbers i, i + k, i + 2k, ... and records `next:<i>`, the next number it would emit; one
 * task records `generated` as well. `next` is per task, `total` the number of events.
 */
export function emittedOf(h) {
  const k = Number(h.tasks ?? 1);
  if (!(k > 1)) {
    const g = Number(h['next:0'] ?? h.generated ?? 0);
    return { total: g, next: [g] };
  }
  const next = Array.from({ length: k }, (_, i) => Number(h[`next:${i}`] ?? i));
  return { total: next.reduce((sum, n, i) => sum + Math.max(0, Math.ceil((n - i) / k)), 0), next };
}

/**
 * The exact count of views per campaign per 10 s window of the events emitted: `events` is a
 * count (events [0, events), one generator task) or emittedOf's `next` (one limit per task).
 * Returns Map campaign -> Map windowStart -> count.
 */
export function expectedCounts(setup, run, events) {
  const next = typeof events === 'number' ? [events] : events;
  const k = next.length;
  const out = new Map();
  for (let i = 0; i < k; i++) {
    for (let n = i; n < next[i]; n += k) {
      const e = drawEvent(run, n);
      if (e.eventType !== 0) continue;
      const campaign = setup.campaigns[Math.floor(e.ad / ADS_PER_CAMPAIGN)];
      const w = Math.floor(e.time / WINDOW_MS) * WINDOW_MS;
      let m = out.get(campaign);
      if (m === undefined) out.set(campaign, (m = new Map()));
      m.set(w, (m.get(w) ?? 0) + 1);
    }
  }
  return out;
}
