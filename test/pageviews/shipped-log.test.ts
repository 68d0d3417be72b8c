import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  DedupeWindow, Sessionizer, pageKeysOf, parseApacheLine, visitsOf,
  type PageviewEvent, type Visit,
} from '../../topologies/pageviews/index.js';

/**
 * The whole shipped log, checked against expectations that do not come from the product's
 * parser: totals counted with awk/grep over the file (written here as literals) and a
 * separate reference regex for the fields of each complete line.
 */
const LOG = new URL('../../topologies/data/apache_logs.log', import.meta.url);
const lines = readFileSync(LOG, 'utf8').split('\n');
if (lines[lines.length - 1] === '') lines.pop();

// Reference for complete lines: no escapes occur inside quotes in this file (grep finds no \").
const REF = /^(\S+) (\S+) (\S+) \[(\d\d)\/May\/2015:(\d\d):(\d\d):(\d\d) \+0000\] "(\S+) (\S+) (HTTP\/1\.[01])" (\d{3}) (\d+|-) "([^"]*)" "([^"]*)"$/;

const results = lines.map((l, i) => ({ n: i + 1, r: parseApacheLine(l, { id: `apache_logs.log:${i + 1}` }) }));
const events: PageviewEvent[] = results.flatMap(({ r }) => (r.ok ? [r.event] : []));

const tally = <T>(xs: T[]): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const x of xs) out[String(x)] = (out[String(x)] ?? 0) + 1;
  return out;
};

describe('the shipped access log', () => {
  it('accepts all 10,000 lines, noting only line 8899 (user agent cut off)', () => {
    expect(lines.length).toBe(10_000);
    const rejected = results.filter(({ r }) => !r.ok);
    expect(rejected).toEqual([]);
    const noted = results.flatMap(({ n, r }) => (r.ok && r.note !== undefined ? [`${n}: ${r.note}`] : []));
    expect(noted).toEqual(['8899: user agent cut off']);
  });

  it('matches the reference regex field by field on every complete line', () => {
    let compared = 0;
    results.forEach(({ n, r }) => {
      const m = REF.exec(lines[n - 1]!);
      if (n === 8899) {
        expect(m).toBeNull();
        return;
      }
      expect(m, `line ${n}`).not.toBeNull();
      if (!r.ok || m === null) throw new Error(`line ${n}`);
      const e = r.event;
      const ts = Date.UTC(2015, 4, Number(m[4]), Number(m[5]), Number(m[6]), Number(m[7]));
      expect([e.ip, e.ts, e.method, e.path, e.protocol, e.status, e.bytes], `line ${n}`).toEqual([
        m[1], ts, m[8], m[9], m[10], Number(m[11]), m[12] === '-' ? null : Number(m[12]),
      ]);
      expect(e.url, `line ${n}`).toBe(`http://semicomplete.com${m[9]}`);
      compared++;
    });
    expect(compared).toBe(9_999);
  });

  it('has the totals counted with awk', () => {
    expect(tally(events.map((e) => e.status))).toEqual({ 200: 9126, 206: 45, 301: 164, 304: 445, 403: 2, 404: 213, 416: 2, 500: 3 });
    expect(tally(events.map((e) => e.method))).toEqual({ GET: 9952, HEAD: 42, POST: 5, OPTIONS: 1 });
    expect(tally(events.map((e) => e.protocol))).toEqual({ 'HTTP/1.1': 9300, 'HTTP/1.0': 700 });
    expect(events.filter((e) => e.bytes === null).length).toBe(669);
    expect(events.reduce((s, e) => s + (e.bytes ?? 0), 0)).toBe(2_747_282_740);
    expect(new Set(events.map((e) => e.ip)).size).toBe(1753);
    expect(events.filter((e) => e.referrer !== null).length).toBe(5927);
    expect(events.filter((e) => e.userAgent === null).length).toBe(190);
    expect(events.filter((e) => e.user !== null).length).toBe(0);
    expect(Math.min(...events.map((e) => e.ts))).toBe(1431857100000); // 2015-05-17T10:05:00Z
    expect(Math.max(...events.map((e) => e.ts))).toBe(1432155959000); // 2015-05-20T21:05:59Z
    expect(new Set(events.map((e) => Math.floor(e.ts / 3_600_000))).size).toBe(84);
  });

  it('normalises every page URL, and the 5-minute dedupe window finds the exact repeats', () => {
    const keys = events.map((e) => pageKeysOf(e));
    expect(keys.filter((k) => k === null)).toEqual([]);
    // The file is in arrival order, up to 59 s out of order: well inside the window.
    const d = new DedupeWindow();
    const verdicts = keys.map((k) => d.check(k!.visitor, k!.url, k!.ts));
    expect(verdicts.filter((v) => v === 'late').length).toBe(0);
    // awk: 23 lines repeat an earlier line's (ip, time, raw path). Normalisation can only
    // merge more raw paths, never fewer.
    const dupes = verdicts.filter((v) => v === 'duplicate').length;
    expect(dupes).toBeGreaterThanOrEqual(23);
    const exactOverAll = new Set(keys.map((k) => `${k!.visitor} ${k!.url} ${k!.ts}`));
    expect(dupes).toBe(events.length - exactOverAll.size); // the window misses none the batch finds
  });

  it('streams the same visits as the batch computation, in file order (up to 59 s out of order)', () => {
    const hits = events.map((e) => pageKeysOf(e)!);
    const s = new Sessionizer();
    const streamed: Visit[] = [];
    for (const h of hits) {
      expect(s.add(h)).toBe('ok');
      streamed.push(...s.advance(s.eventTime));
    }
    streamed.push(...s.closeAll());
    const key = (v: Visit): string => `${v.visitor} ${v.domain} ${v.firstTs} ${v.lastTs} ${v.count}`;
    expect(streamed.map(key).sort()).toEqual(visitsOf(hits).map(key).sort());
    expect(streamed.reduce((n, v) => n + v.count, 0)).toBe(10_000);
  });
});
