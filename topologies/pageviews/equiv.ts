/**
 * The pageviews application's second fact: an equiv edge, "these two visitor identifiers are
 * one person" (an IP address and the user id that logged in from it, a cookie and an account),
 * as the Lambda Architecture book's SuperWebAnalytics keeps them. Edges come from JSON Lines,
 * `{"a": "11.11.11.111", "b": "sally", "ts": "2015-05-20T14:00:00Z"}` (ts: when the edge was
 * discovered, ISO 8601 or epoch ms), by `topo ingest FILE --format equiv`, and land in
 * `<master>/equiv/`. Only the batch layer reads them (identities.ts): the speed layer counts
 * raw identifiers.
 *
 * An edge with a side missing, or with both sides the same identifier, is no fact: it would
 * merge nothing, and most likely is a bug upstream. It is rejected with the reason, by ingest
 * (the rejects file) and by the batch reader (a bad line) alike.
 */
import { accept, defineDataset, defineFormat, reject } from '../../src/batch/index.js';
import { parseIsoTime } from './timestamps.js';

/** One equiv edge: identifiers `a` and `b` name one person. */
export interface EquivRecord {
  /** Stable id (source file and line). */
  readonly id: string;
  readonly a: string;
  readonly b: string;
  /** When the edge was discovered, epoch ms UTC (its partition). */
  readonly ts: number;
}

/** The largest |epoch ms| a Date holds (ECMAScript: 100 000 000 days). */
const MAX_DATE_MS = 8.64e15;

/** Why the two sides of an edge do not make an edge, or null: shared by the format and the dataset. */
function sidesProblem(a: unknown, b: unknown): string | null {
  for (const [name, v] of [['a', a], ['b', b]] as const) {
    if (v === undefined || v === null || v === '') return `missing '${name}': an equiv edge joins two visitor identifiers`;
    if (typeof v !== 'string') return `'${name}' is not a string (a visitor identifier)`;
  }
  if (a === b) return `'a' and 'b' are the same identifier (${JSON.stringify(a)}): an edge to itself merges nothing`;
  return null;
}

/** Why a JSON object is not an equiv edge, or null when it is one. */
export function equivProblem(r: Readonly<Record<string, unknown>>): string | null {
  if (typeof r['id'] !== 'string') return "missing string 'id'";
  const sides = sidesProblem(r['a'], r['b']);
  if (sides !== null) return sides;
  if (typeof r['ts'] !== 'number' || !Number.isFinite(r['ts'])) return "missing numeric 'ts'";
  if (Math.abs(r['ts']) > MAX_DATE_MS) return "'ts' is outside the dates JavaScript can represent";
  return null;
}

/** The equiv facts: `<master>/equiv/date=YYYY-MM-DD/part-*.jsonl`. */
export const equivDataset = defineDataset<EquivRecord>({
  name: 'equiv',
  eventTime: (r) => r.ts,
  id: (r) => r.id,
  validate: equivProblem,
  encode: (r) => JSON.stringify({ id: r.id, a: r.a, b: r.b, ts: r.ts }),
});

function tsOf(v: unknown): number | string {
  if (v === undefined || v === null) return 'missing ts (when the edge was discovered)';
  if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) <= MAX_DATE_MS ? v : 'ts is not an integer epoch ms';
  if (typeof v === 'string') return parseIsoTime(v) ?? 'ts is not an ISO 8601 date-time';
  return 'ts is neither a number nor a string';
}

/** JSON Lines equiv edges: `{"a", "b", "ts"}` (`topo ingest FILE --format equiv`). */
export const equivFormat = defineFormat<EquivRecord>({
  name: 'equiv',
  dataset: 'equiv',
  parse: (line, at) => {
    let o: unknown;
    try {
      o = JSON.parse(line);
    } catch {
      return reject('not valid JSON');
    }
    if (typeof o !== 'object' || o === null || Array.isArray(o)) return reject('not a JSON object');
    const r = o as Record<string, unknown>;
    const sides = sidesProblem(r['a'], r['b']);
    if (sides !== null) return reject(sides);
    const ts = tsOf(r['ts']);
    if (typeof ts === 'string') return reject(ts);
    return accept({ id: at.id, a: r['a'] as string, b: r['b'] as string, ts });
  },
});
