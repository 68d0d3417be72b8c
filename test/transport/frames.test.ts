/**
 * The binary frame layout: what goes in comes out, slot for slot, for every anchor shape
 * (untracked, tracked with no root, one root, several roots), the extreme edge halves and
 * roots the runtime makes, values msgpack must carry, strings written as UTF-8 outside
 * msgpack (any script, surrogates, long ones, mixed with numbers), and frames read from an
 * unaligned offset (the shared ring hands those out).
 */
import { describe, expect, it, vi } from 'vitest';
import { decodeFrame, encodeFrame, SLOTS_PER_TUPLE } from '../../src/runtime/transport/frames.js';
import { seededRandom } from '../helpers/random.js';

const MAX_ROOT = 2 ** 53 - 1;

describe('frames', () => {
  it('round-trips every anchor shape and value kind', () => {
    const slots: unknown[] = [
      1, 0, 2, null, ['plain', 1, true, null],
      3, 5, 4, [], [{ nested: { a: [1, 2] } }, -0.5],
      7, 9, 8, [4294967296 + 5, -2147483648, 2147483647], ['one root'],
      2, 1, 1, [MAX_ROOT, 1, -1, 3 * 4294967296, 123456, -654321, 4294967296, 7, 8], [new Uint8Array([1, 2, 3])],
      65535, 30000, 65535, null, [],
    ];
    const back = decodeFrame(encodeFrame(slots));
    expect(back).toEqual(slots);
  });

  it('values that are all numbers (every acker message) travel as float64s, exactly, mixed with msgpacked ones', () => {
    const slots: unknown[] = [
      4, 12, 3, null, [3 * 4294967296 + 17, -2147483648, 2147483647, 3],
      5, 1, 2, [MAX_ROOT, 1, 2], ['word'],
      6, 12, 3, null, [-0, Number.NaN, Number.POSITIVE_INFINITY, 0.1, MAX_ROOT, -MAX_ROOT],
      7, 12, 3, null, [1, 2, 3, 4, 5, 6, 7, 8, 9],
      8, 1, 2, null, [1, 'mixed'],
      9, 2, 2, null, [],
    ];
    const back = decodeFrame(encodeFrame(slots));
    expect(back).toEqual(slots);
    expect(Object.is((back[14] as number[])[0], -0)).toBe(true);
    // Only the tuples with a non-number value (and the over-long number list) went through msgpack.
    const onlyNumbers = encodeFrame([4, 12, 3, null, [1, 2, 3, 4]]);
    expect(new Int32Array(onlyNumbers.buffer, 0, 4)[2]).toBe(0);
  });

  it('tuples of strings and numbers skip msgpack and come back exactly, whatever the script or length', () => {
    const long = 'ünïcödé '.repeat(40);
    const slots: unknown[] = [
      1, 0, 2, [4294967296, 1, 2], ['word'],
      1, 0, 2, null, ['Über', 'café', 'naïve', '日本語', '😀 emoji', ''],
      1, 0, 2, null, ['x'.repeat(12), 'y'.repeat(13), long, 'z'.repeat(47), 'w'.repeat(48)],
      1, 0, 2, null, ['key', 42, -0.5, 'other', 7],
      1, 0, 2, null, [3, 'count last'],
      1, 0, 2, null, ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'],
      1, 0, 2, null, ['lone \ud800 surrogate', 'pair \ud83d\ude00'],
    ];
    const frame = encodeFrame(slots);
    // Nothing went through msgpack.
    expect(new Int32Array(frame.buffer, 0, 4)[2]).toBe(0);
    const back = decodeFrame(frame);
    // A lone surrogate is not valid UTF-16 text: it arrives as one U+FFFD (TextEncoder's rule; msgpack made it three).
    const expected = slots.slice();
    expected[34] = ['lone \ufffd surrogate', 'pair \ud83d\ude00'];
    expect(back).toEqual(expected);
    // Nine values, or a boolean among them, still travel (through msgpack).
    const other: unknown[] = [1, 0, 2, null, ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'], 1, 0, 2, null, ['flag', true]];
    expect(decodeFrame(encodeFrame(other))).toEqual(other);
  });

  it('a frame of many strings grows its scratch buffers and still round-trips', () => {
    const slots: unknown[] = [];
    for (let i = 0; i < 5000; i++) slots.push(i, 1, 2, null, [`w${i}-${'é'.repeat(i % 30)}`, i, `k${i}`]);
    expect(decodeFrame(encodeFrame(slots))).toEqual(slots);
    // The next (small) frame is not polluted by the big one.
    expect(decodeFrame(encodeFrame([1, 0, 2, null, ['after']]))).toEqual([1, 0, 2, null, ['after']]);
  });

  it('round-trips random batches, decoded from aligned and unaligned buffers', () => {
    const rnd = seededRandom(42);
    for (let round = 0; round < 50; round++) {
      const slots: unknown[] = [];
      const n = Math.floor(rnd() * 300);
      for (let i = 0; i < n; i++) {
        const k = rnd() < 0.2 ? -1 : Math.floor(rnd() * 4);
        const anchors: number[] | null = k < 0 ? null : [];
        for (let t = 0; t < k; t++) {
          anchors!.push(Math.floor(rnd() * 1000 + 1) * 4294967296 + Math.floor(rnd() * 4294967296), (rnd() * 2 ** 32) | 0, (rnd() * 2 ** 32) | 0);
        }
        slots.push(Math.floor(rnd() * 5000), Math.floor(rnd() * 200), Math.floor(rnd() * 5000), anchors, [`w${i}`, rnd()]);
      }
      const frame = encodeFrame(slots);
      expect(decodeFrame(frame)).toEqual(slots);
      // The same bytes at an odd offset inside a larger buffer.
      const shifted = new Uint8Array(frame.length + 3);
      shifted.set(frame, 3);
      expect(decodeFrame(shifted.subarray(3))).toEqual(slots);
      expect(slots.length % SLOTS_PER_TUPLE).toBe(0);
    }
  });

  it('objects of one shape travel as records that every frame defines itself: a fresh decoder (another thread) reads the tenth frame', async () => {
    const shape = (i: number) => ({ view: 'pageviews', key: `/p/${i}`, bucket: 1_600_000_000_000 + i, fields: { visits: 1, bounces: 0 }, id: `log:${i}` });
    let last: Uint8Array = new Uint8Array(0);
    const slots: unknown[] = [];
    for (let f = 0; f < 10; f++) {
      slots.length = 0;
      for (let i = 0; i < 100; i++) slots.push(1, 0, 2, null, [shape(f * 100 + i), { other: i }]);
      last = encodeFrame(slots);
    }
    // A new module instance has no record definitions from earlier frames, like a peer thread.
    vi.resetModules();
    const fresh = (await import('../../src/runtime/transport/frames.js')) as typeof import('../../src/runtime/transport/frames.js');
    const back = fresh.decodeFrame(last);
    expect(back).toEqual(slots);
    // Decoded objects are plain objects (not Maps), so bolts read fields as they were emitted.
    const v = (back[4] as unknown[])[0] as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(v['key']).toBe('/p/900');
  });

  it('an unencodable value throws (the outbox isolates the tuple) and the next batch still encodes', () => {
    const hostile = { get x(): number { throw new Error('getter refuses'); } };
    expect(() => encodeFrame([1, 0, 1, null, [hostile]])).toThrow(/getter refuses/);
    expect(decodeFrame(encodeFrame([1, 0, 1, null, ['ok']]))).toEqual([1, 0, 1, null, ['ok']]);
  });

  it('a truncated frame is refused with a clear error', () => {
    const frame = encodeFrame([1, 0, 1, [4294967296, 1, 2], ['x'.repeat(100)]]);
    expect(() => decodeFrame(frame.subarray(0, frame.length - 10))).toThrow(/corrupt frame/);
  });
});
