import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseApacheLine, parseJsonLine, type ParseResult } from '../../topologies/pageviews/index.js';
import { seededRandom as rng } from '../helpers/random.js';


// Characters that matter to the parsers, plus control characters, non-ASCII and a lone surrogate.
const ALPHABET = [...'"\\ []-/:+.0123456789GETPOSTHTTP/1.xabc{},?=%&#\t\r\n\u0000\u00e9\u20ac\ud800', '\\x', '\\"', ' "', '" ', 'null', 'true'];

const log = readFileSync(new URL('../../topologies/data/apache_logs.log', import.meta.url), 'utf8').split('\n');

function checkResult(r: ParseResult): void {
  if (r.ok) {
    const e = r.event;
    expect(Number.isSafeInteger(e.ts)).toBe(true);
    expect(typeof e.ip === 'string' && e.ip.length > 0).toBe(true);
    expect(typeof e.url).toBe('string');
    if (e.status !== null) expect(Number.isInteger(e.status)).toBe(true);
    if (e.bytes !== null) expect(Number.isSafeInteger(e.bytes) && e.bytes >= 0).toBe(true);
  } else {
    expect(r.reason.length).toBeGreaterThan(0);
    expect(r.reason).not.toMatch(/^internal/);
  }
}

function mutate(s: string, rand: () => number): string {
  const edits = 1 + Math.floor(rand() * 4);
  let out = s;
  for (let k = 0; k < edits; k++) {
    const i = Math.floor(rand() * (out.length + 1));
    const piece = ALPHABET[Math.floor(rand() * ALPHABET.length)]!;
    switch (Math.floor(rand() * 5)) {
      case 0: out = out.slice(0, i) + piece + out.slice(i); break; // insert
      case 1: out = out.slice(0, i) + out.slice(i + 1 + Math.floor(rand() * 8)); break; // delete
      case 2: out = out.slice(0, i) + piece + out.slice(i + 1); break; // replace
      case 3: out = out.slice(0, i); break; // cut
      default: out = out.slice(0, i) + out.slice(i, i + 20) + out.slice(i); break; // duplicate a run
    }
  }
  return out;
}

describe('parsers never throw', () => {
  const seed = 20150517;

  it(`apache: random strings (seed ${seed})`, () => {
    const rand = rng(seed);
    for (let n = 0; n < 5000; n++) {
      let s = '';
      const len = Math.floor(rand() * 120);
      for (let k = 0; k < len; k++) s += ALPHABET[Math.floor(rand() * ALPHABET.length)];
      checkResult(parseApacheLine(s, { id: `fuzz:${n}` }));
    }
  });

  it(`apache: mutations of real lines (seed ${seed})`, () => {
    const rand = rng(seed + 1);
    let accepted = 0;
    for (let n = 0; n < 20000; n++) {
      const line = log[Math.floor(rand() * 10000)]!;
      const r = parseApacheLine(mutate(line, rand), { id: `fuzz:${n}` });
      checkResult(r);
      if (r.ok) accepted++;
    }
    // Both outcomes must occur, or the mutations are not exercising the parser.
    expect(accepted).toBeGreaterThan(1000);
    expect(accepted).toBeLessThan(19000);
  });

  it('apache: every prefix of a real line is accepted exactly when it reaches past the bytes field', () => {
    const line = log[0]!;
    // Found by hand: the bytes field `203023` ends right before ` "http://semicomplete.com/...`.
    const afterBytes = line.indexOf('203023') + '203023'.length;
    for (let i = 0; i <= line.length; i++) {
      const r = parseApacheLine(line.slice(0, i), { id: 'prefix' });
      checkResult(r);
      // A prefix ending inside `203023` is a shorter number: indistinguishable from a
      // Common Log Format line, so it is accepted too.
      const expectOk = i >= line.indexOf(' 203023') + 2;
      expect(r.ok, `prefix of length ${i}`).toBe(expectOk);
      if (r.ok && i > afterBytes && i < line.length) expect(r.note, `prefix of length ${i}`).toMatch(/ (cut off|missing)$/);
      if (r.ok && i <= afterBytes) expect(r.note).toBeUndefined();
      if (r.ok && i === line.length) expect(r.note).toBeUndefined();
    }
  });

  it(`jsonl: random strings, mutations and random JSON values (seed ${seed})`, () => {
    const rand = rng(seed + 2);
    const good = '{"url":"http://a.com/x?utm_source=y","visitor":"1.2.3.4","user":"u","ts":"2015-05-17T10:05:03+02:00"}';
    const values = [null, true, 0, -1, 1.5, 1e308, '', 'x', '2015-05-17T10:05:03Z', [], {}, { url: 'http://a/' }];
    for (let n = 0; n < 5000; n++) {
      checkResult(parseJsonLine(mutate(good, rand), { id: `fuzz:${n}` }));
      const o: Record<string, unknown> = {};
      for (const k of ['url', 'visitor', 'user', 'ts', 'status', 'bytes']) if (rand() < 0.8) o[k] = values[Math.floor(rand() * values.length)];
      checkResult(parseJsonLine(JSON.stringify(o), { id: `fuzz:${n}` }));
      let s = '';
      for (let k = Math.floor(rand() * 40); k > 0; k--) s += ALPHABET[Math.floor(rand() * ALPHABET.length)];
      checkResult(parseJsonLine(s, { id: `fuzz:${n}` }));
    }
  });
});
