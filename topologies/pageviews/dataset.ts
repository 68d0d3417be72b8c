/**
 * The pageviews dataset: the master dataset's pageview fact, stored raw (nothing normalised)
 * so that a fix to the URL normaliser is applied to all history by recompute. `recordOf`
 * makes one from a parsed event; the validation is what the views rely on when reading the
 * facts back (url, ip, a finite ts in the Date range; `user` a string, null or absent).
 */
import { defineDataset } from '../../src/batch/index.js';
import type { PageviewEvent } from './event.js';

/** One pageview fact: raw values, not normalised, so a normaliser fix is applied by recompute. */
export interface PageviewRecord {
  /** Stable event id (source file and line, or a stream entry id). */
  readonly id: string;
  /** Raw page URL (`http://<host><path>` for log lines). */
  readonly url: string;
  readonly host: string;
  readonly path: string;
  /** Client address. */
  readonly ip: string;
  readonly user: string | null;
  /** Event time, epoch ms UTC. */
  readonly ts: number;
  readonly method: string | null;
  readonly status: number | null;
  readonly bytes: number | null;
  readonly referrer: string | null;
  readonly userAgent: string | null;
}

/** The raw host of a URL (its authority, as written), or '' for a URL without one. */
export function hostOf(url: string): string {
  const m = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]*)/.exec(url);
  return m === null ? '' : m[1]!;
}

/** A parsed event as the master dataset stores it: the raw fact, nothing normalised. */
export function recordOf(e: PageviewEvent): PageviewRecord {
  return {
    id: e.id, url: e.url, host: hostOf(e.url), path: e.path, ip: e.ip, user: e.user, ts: e.ts,
    method: e.method, status: e.status, bytes: e.bytes, referrer: e.referrer, userAgent: e.userAgent,
  };
}

/** The largest |epoch ms| a Date holds (ECMAScript: 100 000 000 days). */
const MAX_DATE_MS = 8.64e15;

/** Why a JSON object is not a pageview fact (the fields views rely on), or null when it is one. */
export function pageviewProblem(r: Readonly<Record<string, unknown>>): string | null {
  if (typeof r['id'] !== 'string') return "missing string 'id'";
  if (typeof r['url'] !== 'string') return "missing string 'url'";
  if (typeof r['ip'] !== 'string') return "missing string 'ip'";
  if (typeof r['ts'] !== 'number' || !Number.isFinite(r['ts'])) return "missing numeric 'ts'";
  // Beyond ±8.64e15 ms a time is no date (toISOString throws): its partition, bucket and the
  // run's watermark could not be named.
  if (Math.abs(r['ts']) > MAX_DATE_MS) return "'ts' is outside the dates JavaScript can represent";
  if (r['user'] !== null && r['user'] !== undefined && typeof r['user'] !== 'string') return "'user' must be a string or null";
  return null;
}

/** The pageviews facts: `<master>/pageviews/date=YYYY-MM-DD/part-*.jsonl`. */
export const pageviewsDataset = defineDataset<PageviewRecord>({
  name: 'pageviews',
  eventTime: (r) => r.ts,
  id: (r) => r.id,
  validate: pageviewProblem,
  // Keys in a fixed order, so that equal facts are equal bytes whichever road they came by.
  encode: (r) => JSON.stringify({
    id: r.id, url: r.url, host: r.host, path: r.path, ip: r.ip, user: r.user, ts: r.ts,
    method: r.method, status: r.status, bytes: r.bytes, referrer: r.referrer, userAgent: r.userAgent,
  }),
});
