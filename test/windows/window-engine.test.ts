// The firing algorithm alone (no runtime): windows, new/expired and release order against a
// brute-force computation written independently from the definitions in the README.
import { describe, expect, it } from 'vitest';
import type { Tuple } from '../../src/index.js';
import { WindowEngine, type WindowSink } from '../../src/windows/window-engine.js';
import { seededRandom } from '../helpers/random.js';

interface Firing { start: number; end: number; ids: number[]; fresh: number[]; expired: number[]; update: boolean }

const tup = (id: number): Tuple => ({ values: [id] }) as unknown as Tuple;
const id = (t: Tuple): number => t.values[0] as number;

function recorder() {
  const firings: Firing[] = [];
  const released: number[] = [];
  const sink: WindowSink = {
    fire(tuples, fresh, expired, start, end, update) {
      firings.push({ start, end, ids: tuples.map(id), fresh: fresh.map(id), expired: expired.map(id), update });
      return true;
    },
    release: (t) => void released.push(id(t)),
  };
  return { firings, released, sink };
}

describe('window engine', () => {
  it('sliding event-time windows with bounded disorder equal the brute-force windows', () => {
    const rnd = seededRandom(7);
    const L = 1000;
    const S = 250;
    const lag = 300;
    // Timestamps rising ~10 ms apart, each moved back by up to lag: out of order, within the lag.
    const ts = Array.from({ length: 600 }, (_, i) => Math.max(0, i * 10 - Math.floor(rnd() * lag)));
    const { firings, released, sink } = recorder();
    const e = new WindowEngine(L, S, 0, sink, false);
    let maxSeen = -Infinity;
    ts.forEach((t, i) => {
      expect(e.add(tup(i), t)).toBe(true);
      maxSeen = Math.max(maxSeen, t);
      if (i % 7 === 6) e.evaluate(maxSeen - lag); // a tick now and then
    });
    e.flush();
    // Brute force: every window end on a multiple of S that holds at least one timestamp.
    const ends = new Set<number>();
    for (const t of ts) for (let end = (Math.floor(t / S) + 1) * S; end - L <= t; end += S) ends.add(end);
    const expected = [...ends].sort((a, b) => a - b).map((end) => ({
      start: end - L,
      end,
      ids: ts.map((t, i) => [t, i] as const).filter(([t]) => t >= end - L && t < end).sort((a, b) => a[0] - b[0] || a[1] - b[1]).map(([, i]) => i),
    }));
    expect(firings.map(({ start, end, ids }) => ({ start, end, ids }))).toEqual(expected);
    // new = not in the previous firing; every tuple released exactly once.
    firings.forEach((f, n) => {
      const prev = new Set(n === 0 ? [] : firings[n - 1]!.ids);
      expect(f.fresh).toEqual(f.ids.filter((x) => !prev.has(x)));
    });
    expect([...released].sort((a, b) => a - b)).toEqual(ts.map((_, i) => i));
    // expired = released since the previous firing, each tuple once.
    const expired = firings.flatMap((f) => f.expired);
    expect(new Set(expired).size).toBe(expired.length);
    expect(expired).toEqual(released.slice(0, expired.length));
  });

  it('releases a tuple only after the last window holding it fired', () => {
    const { firings, released, sink } = recorder();
    const e = new WindowEngine(1000, 500, 0, sink, false);
    e.add(tup(1), 100); // windows ending 500 and 1000
    e.evaluate(600);
    expect(firings.map((f) => f.end)).toEqual([500]);
    expect(released).toEqual([]);
    e.add(tup(2), 700);
    e.evaluate(1100);
    expect(firings.map((f) => [f.end, f.ids])).toEqual([[500, [1]], [1000, [1, 2]]]);
    expect(released).toEqual([1]);
    expect(firings[1]!.fresh).toEqual([2]);
  });

  it('late tuples within the allowed lateness re-fire the window; beyond it they are refused', () => {
    const { firings, released, sink } = recorder();
    const e = new WindowEngine(1000, 1000, 500, sink, false);
    e.add(tup(1), 100);
    e.add(tup(2), 900);
    e.evaluate(1050);
    expect(firings).toHaveLength(1);
    expect(e.add(tup(3), 950)).toBe(true); // window [0,1000) open until wm 1500
    e.evaluate(1050);
    expect(firings[1]).toMatchObject({ start: 0, end: 1000, ids: [1, 2, 3], fresh: [3], update: true });
    expect(released).toEqual([]);
    e.evaluate(1500);
    expect(released).toEqual([1, 2, 3]);
    expect(e.add(tup(4), 999)).toBe(false);
  });

  it('count windows: tumbling and sliding as Storm fires them', () => {
    const t = recorder();
    const tumbling = new WindowEngine(3, 3, 0, t.sink, true);
    for (let i = 0; i < 7; i++) {
      tumbling.add(tup(i), i);
      tumbling.evaluate(i + 1);
    }
    expect(t.firings.map((f) => f.ids)).toEqual([[0, 1, 2], [3, 4, 5]]);
    expect(t.released).toEqual([0, 1, 2, 3, 4, 5]);
    const s = recorder();
    const sliding = new WindowEngine(4, 2, 0, s.sink, true);
    for (let i = 0; i < 8; i++) {
      sliding.add(tup(i), i);
      sliding.evaluate(i + 1);
    }
    expect(s.firings.map((f) => [f.start, f.ids])).toEqual([[0, [0, 1]], [0, [0, 1, 2, 3]], [2, [2, 3, 4, 5]], [4, [4, 5, 6, 7]]]);
    expect(s.firings[2]!.expired).toEqual([0, 1]);
  });
});
