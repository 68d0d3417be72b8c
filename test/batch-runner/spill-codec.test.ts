/**
 * The spill encoding: flat records of one shape take the fast form, anything else msgpackr,
 * and both give back exactly the events that went in (values, field order, shape).
 */
import { describe, expect, it } from 'vitest';
import { decodeSpill, SpillEncoder } from '../../src/batch/runner/spill-codec.js';

function roundTrip(lists: unknown[][]): { back: unknown[][]; kinds: number[] } {
  const enc = new SpillEncoder();
  const ranges: Array<[number, number]> = [];
  for (const l of lists) {
    const at = enc.length;
    enc.add(l);
    ranges.push([at, enc.length]);
  }
  const bytes = Buffer.from(enc.bytes());
  return { back: ranges.map(([a, b]) => decodeSpill(bytes.subarray(a, b))), kinds: ranges.map(([a]) => bytes[a]!) };
}

describe('spill encoding', () => {
  it('round-trips flat records of strings, numbers and null in the fast form', () => {
    const events = [
      { visitor: '10.0.0.1', url: 'http://a.example/é€😀', ts: 1431857134000, n: -0, user: null },
      { visitor: '', url: 'x'.repeat(70_000), ts: 2 ** 53 + 2, n: Number.NaN, user: 'ü' },
      { visitor: 'v', url: '', ts: -1.5, n: 1e300, user: null },
    ];
    const { back, kinds } = roundTrip([events]);
    expect(kinds).toEqual([1]);
    expect(back[0]).toEqual(events);
    expect(Object.keys(back[0]![0] as object)).toEqual(Object.keys(events[0]!));
    expect(Object.is((back[0]![0] as { n: number }).n, -0)).toBe(true);
  });

  it('writes a string repeated in a list once, in any field, and each list has its own strings', () => {
    const a = { visitor: '10.0.0.1', url: 'http://a.example/p', domain: 'a.example', ts: 1 };
    const b = { visitor: 'a.example', url: 'http://a.example/p', domain: 'a.example', ts: 2 };
    const c = { visitor: '10.0.0.1', url: 'é', domain: 'a.example', ts: 3 };
    const lists = [[a, b, c, a, b, c], [c, b, a]];
    const { back } = roundTrip(lists);
    expect(back).toEqual(lists);
    const enc = new SpillEncoder();
    enc.add([a, b, c, a, b, c]);
    const repeated = enc.length;
    enc.reset();
    enc.add([a, { ...b, visitor: 'x', url: 'y', domain: 'z' }]);
    // Four distinct strings in six events against six in two: repeats are 5-byte references.
    expect(repeated).toBeLessThan(enc.length + 4 * 9 + 14 * 5 + 1);
  });

  it('takes msgpackr for every other list, and keeps it exact', () => {
    const lists: unknown[][] = [
      [{ a: 'x', b: true }],
      [{ a: 'x', b: { nested: 1 } }],
      [{ a: 'x', b: 1 }, { b: 1, a: 'x' }],
      [{ a: 'x', b: 1 }, { a: 'x', b: 1, c: 2 }],
      [{ a: 'x', b: 1 }, { a: 'x' }],
      [{ a: 'x', b: undefined }],
      [['view', 'key', 3600000, 4]],
      [{}],
    ];
    const { back, kinds } = roundTrip(lists);
    expect(kinds).toEqual(lists.map(() => 0));
    expect(back).toEqual(lists);
    // A field named __proto__ is never built into an object literal (it would set the prototype).
    expect(roundTrip([[JSON.parse('{"__proto__": "p", "a": 1}')]]).kinds).toEqual([0]);
  });

  it('fails on a list cut short instead of giving fewer events', () => {
    const enc = new SpillEncoder();
    enc.add([{ a: 'hello', b: 1 }, { a: 'world', b: 2 }]);
    const bytes = Buffer.from(enc.bytes());
    expect(() => decodeSpill(bytes.subarray(0, bytes.length - 3))).toThrow();
  });
});
