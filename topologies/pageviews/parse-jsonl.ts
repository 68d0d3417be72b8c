/**
 * JSON Lines pageview events: `{"url": ..., "visitor": ..., "user"?: ..., "ts": ...}`.
 *
 * `visitor` is the client identity (what the client address is for a log line) and is
 * required; `user`, when a non-empty string, is the authenticated user and wins in
 * {@link visitorOf}. `ts` is epoch ms (an integer) or an ISO 8601 date-time string, UTC when
 * it has no offset. The optional request facts a log line has (`method`, `protocol`,
 * `status`, `bytes`, `referrer`, `userAgent`) are taken when present with the right type and
 * are null otherwise: JSON Lines sources rarely have them, and their absence must not
 * reject a pageview. The url is kept as given, even when it does not parse: it is the raw
 * fact, and normalisation (which may skip it) happens downstream.
 */
import type { ParseResult } from './event.js';
import { parseIsoTime } from './timestamps.js';

/** Options of {@link parseJsonLine}. */
export interface JsonLineOptions {
  /** The event's stable id, e.g. `file:line`. */
  readonly id: string;
}

// Beyond ±8.64e15 ms a Date is invalid; a ts there is a unit mistake, not a time.
const MAX_EPOCH_MS = 8.64e15;

function optString(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

function optCount(v: unknown): number | null {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : null;
}

/** The raw request target of a URL: what follows `scheme://authority`, or the whole string. */
function targetOf(url: string): string {
  const m = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/.exec(url);
  return m === null ? url : url.slice(m[0].length);
}

function tsOf(v: unknown): number | string {
  if (v === undefined || v === null) return 'missing ts';
  if (typeof v === 'number') {
    if (!Number.isInteger(v) || Math.abs(v) > MAX_EPOCH_MS) return 'ts is not an integer epoch ms';
    return v;
  }
  if (typeof v === 'string') return parseIsoTime(v) ?? 'ts is not an ISO 8601 date-time';
  return 'ts is neither a number nor a string';
}

/** Parses one JSON Lines event (a trailing newline is ignored). Never throws. */
export function parseJsonLine(line: string, options: JsonLineOptions): ParseResult {
  if (line.trim() === '') return { ok: false, reason: 'empty line' };
  let o: unknown;
  try {
    o = JSON.parse(line);
  } catch {
    return { ok: false, reason: 'not valid JSON' };
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return { ok: false, reason: 'not a JSON object' };
  const r = o as Record<string, unknown>;
  if (r['url'] === undefined || r['url'] === null) return { ok: false, reason: 'missing url' };
  if (typeof r['url'] !== 'string' || r['url'] === '') return { ok: false, reason: 'url is not a non-empty string' };
  if (r['visitor'] === undefined || r['visitor'] === null) return { ok: false, reason: 'missing visitor' };
  if (typeof r['visitor'] !== 'string' || r['visitor'] === '') return { ok: false, reason: 'visitor is not a non-empty string' };
  const user = r['user'];
  if (user !== undefined && user !== null && typeof user !== 'string') return { ok: false, reason: 'user is not a string' };
  const ts = tsOf(r['ts']);
  if (typeof ts === 'string') return { ok: false, reason: ts };
  const url = r['url'];
  return {
    ok: true,
    event: {
      id: options.id,
      ip: r['visitor'],
      user: typeof user === 'string' && user !== '' ? user : null,
      ts,
      method: optString(r['method']),
      path: targetOf(url),
      protocol: optString(r['protocol']),
      status: optCount(r['status']),
      bytes: optCount(r['bytes']),
      referrer: optString(r['referrer']),
      userAgent: optString(r['userAgent']),
      url,
    },
  };
}
