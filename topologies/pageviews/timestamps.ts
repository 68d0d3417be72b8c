/**
 * Strict timestamp parsers for the two input formats. Both compute epoch ms with Date.UTC
 * and an explicit offset instead of Date.parse, whose reading of anything but full ISO
 * strings is implementation-defined and whose reading of an ISO date-time without an offset
 * is the local time zone: a server's TZ must never change a view.
 */

const MONTHS: Readonly<Record<string, number>> = {
  Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11,
};

// Apache's %t: [17/May/2015:10:05:03 +0000], brackets removed by the caller.
const CLF = /^(\d{2})\/([A-Z][a-z]{2})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/;

// ISO 8601 / RFC 3339 date-time: seconds and fraction optional, offset optional (then UTC).
const ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|z|[+-]\d{2}:?\d{2})?$/;

/**
 * Epoch ms of a wall-clock time at a UTC offset, or null when a field is out of range.
 * Date.UTC silently rolls 31 February into March, so the fields are checked against the
 * date it produced.
 */
function utcMs(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number, offsetMin: number): number | null {
  if (mo < 0 || mo > 11 || d < 1 || h > 23 || mi > 59 || s > 59) return null;
  const date = new Date(Date.UTC(2000, mo, d, h, mi, s, ms));
  date.setUTCFullYear(y); // Date.UTC maps years 0-99 to 1900-1999; setUTCFullYear does not.
  if (date.getUTCMonth() !== mo || date.getUTCDate() !== d) return null;
  const t = date.getTime() - offsetMin * 60_000;
  return Number.isFinite(t) ? t : null;
}

function offsetMinutes(sign: string, hh: string, mm: string): number | null {
  const h = Number(hh);
  const m = Number(mm);
  if (h > 23 || m > 59) return null;
  return (sign === '-' ? -1 : 1) * (h * 60 + m);
}

/** Epoch ms of an Apache `%t` value without its brackets (`17/May/2015:10:05:03 +0200`), or null. */
export function parseClfTime(s: string): number | null {
  const m = CLF.exec(s);
  if (m === null) return null;
  const mo = MONTHS[m[2]!];
  const off = offsetMinutes(m[7]!, m[8]!, m[9]!);
  if (mo === undefined || off === null) return null;
  return utcMs(Number(m[3]), mo, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6]), 0, off);
}

/**
 * Epoch ms of an ISO 8601 date-time (`2015-05-17T10:05:03Z`, `...+02:00`, fraction allowed),
 * or null. Without an offset the time is UTC, as everywhere in topo. Digits of the fraction
 * beyond milliseconds are cut, not rounded, so a time never moves into the next second.
 */
export function parseIsoTime(s: string): number | null {
  const m = ISO.exec(s);
  if (m === null) return null;
  let off = 0;
  const z = m[8];
  if (z !== undefined && z !== 'Z' && z !== 'z') {
    const digits = z.replace(':', '');
    const o = offsetMinutes(digits[0]!, digits.slice(1, 3), digits.slice(3, 5));
    if (o === null) return null;
    off = o;
  }
  const ms = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0'));
  return utcMs(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0), ms, off);
}
