/**
 * An independent reference for the pageviews views, written for these tests only: its own
 * regular expression for Apache combined-format lines, its own reading of the URL rule and
 * its own sessionization. Nothing here imports topologies/pageviews/, so when the product and this
 * reference agree it is not because they share code.
 *
 * The rules followed are the documented ones (issue 3, and the comments of
 * topologies/pageviews/parse-apache.ts): every request whose line parses up to and including the
 * bytes field is a pageview (line 8899 of the shipped log, cut inside its user agent, is
 * one); the page URL is `http://<host><target>`; visitor = the user when logged, else the
 * client address; duplicates (visitor, URL, ts) count once.
 */

export const HOUR = 3_600_000;
export const GAP = 30 * 60_000;

export interface RefEvent {
  readonly line: number;
  readonly visitor: string;
  readonly url: string;
  readonly domain: string;
  readonly ts: number;
}

const MONTH: Record<string, number> = { Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11 };

// client ident user [dd/Mon/yyyy:HH:MM:SS +zzzz] "request" status bytes, then optionally the
// referrer and user agent, either of which may be cut off before its closing quote.
const QUOTED = String.raw`"(?:[^"\\]|\\.)*`;
const LINE = new RegExp(
  String.raw`^(\S+) \S+ (\S+) \[(\d\d)/([A-Z][a-z]{2})/(\d{4}):(\d\d):(\d\d):(\d\d) ([+-])(\d\d)(\d\d)\] "((?:[^"\\]|\\.)*)" (?:\d{3}|-) (?:\d+|-)` +
    String.raw`(?: ${QUOTED}"?(?: ${QUOTED}"?)?)?$`,
);

/** Epoch ms of a CLF time, or null when a field is out of range. */
function clfTime(m: RegExpExecArray): number | null {
  const [d, mon, y, hh, mi, ss, sign, oh, om] = [Number(m[3]), MONTH[m[4]!], Number(m[5]), Number(m[6]), Number(m[7]), Number(m[8]), m[9], Number(m[10]), Number(m[11])];
  if (mon === undefined || hh > 23 || mi > 59 || ss > 59) return null;
  const t = Date.UTC(y, mon, d, hh, mi, ss);
  if (new Date(t).getUTCDate() !== d) return null; // 31 Feb and friends
  return t - (sign === '-' ? -1 : 1) * (oh * 60 + om) * 60_000;
}

/** The page URL of one combined-format line, by the documented rules, or null (rejected). */
export function refParseLine(text: string, host = 'semicomplete.com'): { visitor: string; rawUrl: string; ts: number } | null {
  const m = LINE.exec(text);
  if (m === null) return null;
  const ts = clfTime(m);
  if (ts === null) return null;
  const words = m[12]!.split(' ');
  if (!/^[A-Za-z!#$%&'*+.^_`|~0-9-]+$/.test(words[0]!)) return null;
  let target: string;
  if (words.length === 2) target = words[1]!;
  else if (words.length >= 3 && /^HTTP\/\d+(\.\d+)?$/.test(words[words.length - 1]!)) target = words.slice(1, -1).join(' ');
  else return null;
  let rawUrl: string;
  if (target.startsWith('/')) rawUrl = `http://${host}${target}`;
  else if (/^https?:\/\/./i.test(target)) rawUrl = target;
  else return null;
  const user = m[2]!;
  return { visitor: user === '-' ? m[1]! : user, rawUrl, ts };
}

/**
 * The URL rule, written out step by step: WHATWG parse, drop the fragment, drop tracking
 * parameters (utm_*, fbclid, gclid, any case), sort the rest by name keeping equal names in
 * order, write them back as URLSearchParams does, trim trailing slashes except the root.
 */
export function refNormalize(raw: string): string | null {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return null;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
  const pairs: [string, string][] = [];
  new URLSearchParams(u.search).forEach((v, k) => {
    const low = k.toLowerCase();
    if (!low.startsWith('utm_') && low !== 'fbclid' && low !== 'gclid') pairs.push([k, v]);
  });
  const order = pairs.map((p, i) => ({ p, i })).sort((a, b) => (a.p[0] < b.p[0] ? -1 : a.p[0] > b.p[0] ? 1 : a.i - b.i));
  const query = new URLSearchParams(order.map((o) => o.p)).toString();
  let path = u.pathname;
  while (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
  return `${u.protocol}//${u.host}${path}${query === '' ? '' : `?${query}`}`;
}

/** Events of an Apache log text (line numbers from 1, blank lines skipped), duplicates kept. */
export function refEvents(text: string, host?: string): { events: RefEvent[]; rejected: number[] } {
  const events: RefEvent[] = [];
  const rejected: number[] = [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  lines.forEach((l, i) => {
    if (l.trim() === '') return;
    const p = refParseLine(l, host);
    const url = p === null ? null : refNormalize(p.rawUrl);
    if (p === null || url === null) {
      rejected.push(i + 1);
      return;
    }
    events.push({ line: i + 1, visitor: p.visitor, url, domain: new URL(url).hostname, ts: p.ts });
  });
  return { events, rejected };
}

/** Duplicates removed: the first of each (visitor, URL, ts). */
export function dedupe(events: readonly RefEvent[]): RefEvent[] {
  const seen = new Set<string>();
  return events.filter((e) => {
    const k = JSON.stringify([e.visitor, e.url, e.ts]);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

export const hourOf = (ts: number): number => Math.floor(ts / HOUR) * HOUR;

export interface Truth {
  /** url -> hour start -> pageviews. */
  readonly pageviews: Map<string, Map<number, number>>;
  /** url -> hour start -> distinct visitors. */
  readonly uniques: Map<string, Map<number, Set<string>>>;
  /** domain -> hour start (of the visit's first pageview) -> visits and bounces. */
  readonly bounces: Map<string, Map<number, { visits: number; bounces: number }>>;
  readonly hours: number[];
  readonly events: number;
}

/** Every view's expected contents for a list of (not yet deduplicated) events. */
export function truthOf(all: readonly RefEvent[]): Truth {
  const events = dedupe(all);
  const pageviews = new Map<string, Map<number, number>>();
  const uniques = new Map<string, Map<number, Set<string>>>();
  for (const e of events) {
    const h = hourOf(e.ts);
    const pv = pageviews.get(e.url) ?? new Map<number, number>();
    pageviews.set(e.url, pv);
    pv.set(h, (pv.get(h) ?? 0) + 1);
    const uq = uniques.get(e.url) ?? new Map<number, Set<string>>();
    uniques.set(e.url, uq);
    const s = uq.get(h) ?? new Set<string>();
    uq.set(h, s);
    s.add(e.visitor);
  }
  // Visits: per (visitor, domain), times in order, a new visit where the gap is >= 30 min.
  const runs = new Map<string, number[]>();
  for (const e of events) {
    const k = JSON.stringify([e.visitor, e.domain]);
    const list = runs.get(k) ?? [];
    runs.set(k, list);
    list.push(e.ts);
  }
  const bounces = new Map<string, Map<number, { visits: number; bounces: number }>>();
  for (const [k, times] of runs) {
    const domain = (JSON.parse(k) as string[])[1]!;
    times.sort((a, b) => a - b);
    let start = 0;
    for (let i = 1; i <= times.length; i++) {
      if (i < times.length && times[i]! - times[i - 1]! < GAP) continue;
      const h = hourOf(times[start]!);
      const d = bounces.get(domain) ?? new Map<number, { visits: number; bounces: number }>();
      bounces.set(domain, d);
      const c = d.get(h) ?? { visits: 0, bounces: 0 };
      d.set(h, c);
      c.visits++;
      if (i - start === 1) c.bounces++;
      start = i;
    }
  }
  const hs = events.map((e) => hourOf(e.ts));
  const hours: number[] = [];
  if (hs.length > 0) for (let h = Math.min(...hs); h <= Math.max(...hs); h += HOUR) hours.push(h);
  return { pageviews, uniques, bounces, hours, events: events.length };
}

/** Total pageviews of a URL over [from, to] hour starts, inclusive. */
export function pageviewsBetween(t: Truth, url: string, from: number, to: number): number {
  let n = 0;
  for (const [h, c] of t.pageviews.get(url) ?? []) if (h >= from && h <= to) n += c;
  return n;
}

/** URLs by total pageviews, highest first (ties by URL). */
export function urlsByTotal(t: Truth): { url: string; total: number }[] {
  return [...t.pageviews].map(([url, m]) => ({ url, total: [...m.values()].reduce((a, b) => a + b, 0) }))
    .sort((a, b) => b.total - a.total || (a.url < b.url ? -1 : 1));
}

/** A small seeded PRNG (mulberry32) for picking samples and shuffling fixtures. */
export { seededRandom as rng } from '../helpers/random.js';

/** The documented Redis key of one view cell (src/views/keys.ts, README): read directly in tests. */
/** A count view's bucket: its top ZSET, whose members are the bucket's cells (docs/speed-layer.md). */
export function bucketKey(namespace: string, view: string, hour: number): string {
  return `topo:${namespace}:${view}:v1:{${view}}:top:${new Date(hour).toISOString().slice(0, 16)}Z`;
}

export function cellKey(namespace: string, view: string, key: string, hour: number): string {
  const tag = key.replace(/\{/g, '%7B').replace(/\}/g, '%7D');
  return `topo:${namespace}:${view}:v1:{${view}:${tag}}:${new Date(hour).toISOString().slice(0, 16)}Z`;
}

export const iso = (t: number): string => new Date(t).toISOString();
