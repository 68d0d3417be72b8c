/**
 * Times on the command line: ISO 8601 dates or date-times; without an offset they are UTC
 * (a query's buckets are UTC, and the machine's time zone must not change an answer).
 */
import { UsageError } from './options.js';

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

export function parseTime(text: string, option: string): number {
  const m = ISO.exec(text.trim());
  if (!m) throw new UsageError(`${option}: '${text}' is not an ISO date-time (e.g. 2015-05-17 or 2015-05-17T10:00Z)`);
  const [, y, mo, d, h = '00', mi = '00', s = '00', ms = '0', zone] = m;
  let t = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), Number(ms.padEnd(3, '0')));
  const back = new Date(t);
  if (back.getUTCDate() !== Number(d) || back.getUTCMonth() !== Number(mo) - 1 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) {
    throw new UsageError(`${option}: '${text}' is not a valid date-time`);
  }
  if (zone && zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    t -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  return t;
}
