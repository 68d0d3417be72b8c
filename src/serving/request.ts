/**
 * What a query asks, checked the same way for `topo query|top|keys` and `topo serve`: the
 * view by name, the key as the view normalises it, the time range (ISO date-times, UTC
 * unless they carry an offset; a range takes every bucket it touches, at most 8,784: a year
 * of hourly buckets, a day of 10 s ones) and
 * the top count. Bad input throws QueryInputError with the reason: the CLI turns it into
 * exit 2, the HTTP API into a 400.
 */
import type { StoreView } from '../speed/store.js';
import { bucketsBetween, DAY_MS, formatBucket, HOUR_MS, type ViewDef } from '../views/view.js';
import type { ServingLayer } from './query.js';

export class QueryInputError extends Error {}

/** At most a year of hourly buckets (8,784 in a leap year) per query. */
export const MAX_BUCKETS = 8784;

/** Names the reasons use for the range bounds (`--from` on the command line, `from` over HTTP). */
export interface RangeNames {
  readonly from: string;
  readonly to: string;
}

export interface RangeInput {
  readonly from?: string | undefined;
  readonly to?: string | undefined;
}

export interface Range {
  readonly from: number;
  readonly to: number;
  readonly buckets: number[];
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** An ISO 8601 date or date-time as epoch ms; without an offset it is UTC (buckets are UTC). */
export function parseTime(text: string, name: string): number {
  const m = ISO.exec(text.trim());
  if (!m) throw new QueryInputError(`${name}: '${text}' is not an ISO date-time (e.g. 2015-05-17 or 2015-05-17T10:00Z)`);
  const [, y, mo, d, h = '00', mi = '00', s = '00', ms = '0', zone] = m;
  let t = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), Number(ms.padEnd(3, '0')));
  const back = new Date(t);
  if (back.getUTCDate() !== Number(d) || back.getUTCMonth() !== Number(mo) - 1 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) {
    throw new QueryInputError(`${name}: '${text}' is not a valid date-time`);
  }
  if (zone && zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    t -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  return t;
}

/** The view named `name` among `views` (defined in `file`), or the reason it is not there. */
export function findView(views: readonly ViewDef<never>[], name: string, file: string): ViewDef<never> {
  const view = views.find((v) => v.name === name);
  if (!view) throw new QueryInputError(`unknown view '${name}' (${file} defines: ${views.map((v) => v.name).join(', ') || 'no views'})`);
  return view;
}

/** The key as the view stores it (e.g. a normalised URL). */
export function viewKey(view: ViewDef<never>, raw: string): string {
  const key = view.normalizeKey ? view.normalizeKey(raw) : raw;
  if (key === null) throw new QueryInputError(`'${raw}' is not a valid key for view '${view.name}'`);
  return key;
}

/** `n` of a top query: a positive integer (default 10). */
export function topCount(text: string | undefined, name: string): number {
  const n = Number(text ?? 10);
  if (text === '' || !Number.isInteger(n) || n < 1) throw new QueryInputError(`${name} must be a positive integer, got '${text}'`);
  return n;
}

/** The range as given; null bounds mean "not given". */
export function givenRange(input: RangeInput, names: RangeNames): { from: number | null; to: number | null } {
  const to = input.to !== undefined ? parseTime(input.to, names.to) : null;
  const from = input.from !== undefined ? parseTime(input.from, names.from) : null;
  if (from !== null && to !== null && from > to) {
    throw new QueryInputError(`${names.from} (${new Date(from).toISOString()}) is after ${names.to} (${new Date(to).toISOString()})`);
  }
  return { from, to };
}

/** A range's length as people read it: `366 days`, `1 day 0 h`, `24 h 25 min`, `90 s`. */
function formatSpan(ms: number): string {
  const days = Math.floor(ms / DAY_MS);
  const hours = Math.floor((ms % DAY_MS) / HOUR_MS);
  const minutes = Math.floor((ms % HOUR_MS) / 60_000);
  const seconds = Math.floor((ms % 60_000) / 1000);
  const parts = [days > 0 ? `${days} day${days === 1 ? '' : 's'}` : '', hours > 0 ? `${hours} h` : '', minutes > 0 ? `${minutes} min` : '', seconds > 0 ? `${seconds} s` : ''];
  return parts.filter((p) => p !== '').join(' ') || '0 s';
}

function checkCount(view: ViewDef<never>, from: number, to: number): void {
  const count = Math.floor(to / view.bucketMs) - Math.floor(from / view.bucketMs) + 1;
  if (count > MAX_BUCKETS) {
    throw new QueryInputError(`the range spans ${count} buckets of ${formatBucket(view.bucketMs)} (${formatSpan(count * view.bucketMs)}); at most ${MAX_BUCKETS} per query (${formatSpan(MAX_BUCKETS * view.bucketMs)} of view '${view.name}')`);
  }
}

/** Everything about the range checkable without Redis, so a typo fails at once even when Redis is down. */
export function precheckRange(view: ViewDef<never>, input: RangeInput, names: RangeNames): void {
  const { from, to } = givenRange(input, names);
  if (from !== null && to !== null) checkCount(view, from, to);
}

/**
 * The buckets of the range. Without `to` the range ends at the view's latest bucket (so a
 * replayed old log answers too), else now; without `from` it spans a day before its end.
 */
export async function resolveRange(view: ViewDef<never>, input: RangeInput, names: RangeNames, serving: ServingLayer): Promise<Range> {
  const given = givenRange(input, names);
  const latest = given.to === null ? await serving.latestBucket(view as StoreView) : null;
  const to = given.to ?? (latest !== null ? latest + view.bucketMs - 1 : Date.now());
  const from = given.from ?? Math.max(0, to - DAY_MS + 1);
  if (from > to) throw new QueryInputError(`${names.from} (${new Date(from).toISOString()}) is after the range's end (${new Date(to).toISOString()})`);
  checkCount(view, from, to);
  return { from, to, buckets: bucketsBetween(view, from, to) };
}
