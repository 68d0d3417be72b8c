/**
 * Duplicate removal by identityFields (identity.ts) must give the verdicts a Set of the
 * fields joined into a string gives, event by event: integers of every size and sign (split
 * into two folds), floats, strings, null, and tuples that share prefixes.
 */
import { describe, expect, it } from 'vitest';
import { IdentitySet } from '../../src/batch/runner/identity.js';
import { defineBatchInput } from '../../src/batch/runner/input.js';

describe('IdentitySet', () => {
  it('says new exactly when a Set of joined fields does, over 200k events with many repeats', () => {
    let s = 7;
    const rnd = (n: number): number => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) % n);
    const tss = [0, -1, 1, 2 ** 32, 2 ** 32 - 1, -(2 ** 32), 2 ** 52 + 3, -(2 ** 53) + 1, 1.5, 1431900000000, 1431900000001];
    const ids = new IdentitySet(['visitor', 'url', 'ts']);
    const joined = new Set<string>();
    let news = 0;
    for (let i = 0; i < 200_000; i++) {
      const ts = rnd(4) === 0 ? tss[rnd(tss.length)]! : 1431900000000 + rnd(50_000) * 1000;
      const visitor = rnd(20) === 0 ? null : `10.0.0.${rnd(40)}`;
      const e = { visitor, url: `http://h/p${rnd(30)}`, ts, other: i };
      const k = `${visitor}\u0000${e.url}\u0000${ts}`;
      const want = !joined.has(k);
      joined.add(k);
      expect(ids.add(e), `event ${i}`).toBe(want);
      if (want) news++;
    }
    // Enough of both verdicts for the comparison to mean something (and the table grew).
    expect(news).toBeGreaterThan(20_000);
    expect(200_000 - news).toBeGreaterThan(20_000);
  });

  it('keeps fields apart: a value never runs into the next field', () => {
    const ids = new IdentitySet(['a', 'b']);
    expect(ids.add({ a: 1, b: 'x' })).toBe(true);
    expect(ids.add({ a: 'x', b: 1 })).toBe(true);
    expect(ids.add({ a: 1, b: 'x' })).toBe(false);
    expect(ids.add({ a: 2 ** 32, b: 0 })).toBe(true);
    expect(ids.add({ a: 1, b: 0 })).toBe(true);
    expect(ids.add({ a: 0, b: 2 ** 32 })).toBe(true);
    expect(ids.add({ a: 2 ** 32, b: 0 })).toBe(false);
  });

  it('is checked in batchInput', () => {
    const base = { dataset: 'pageviews', eventOf: () => null, groupOf: () => 'g' };
    expect(() => defineBatchInput({ ...base, identityFields: [] as never[] })).toThrow(/identityFields must be a non-empty array/);
    expect(() => defineBatchInput({ ...base, identityFields: [''] as never[] })).toThrow(/identityFields/);
  });
});
