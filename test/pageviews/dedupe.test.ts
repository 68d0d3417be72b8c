import { describe, expect, it } from 'vitest';
import { DedupeWindow } from '../../topologies/pageviews/index.js';

const MIN = 60_000;
const T0 = 1431857103000; // 2015-05-17T10:05:03Z
const URL_A = 'http://semicomplete.com/a';
const URL_B = 'http://semicomplete.com/b';

describe('DedupeWindow', () => {
  it('counts the same (visitor, URL, ts) once', () => {
    const d = new DedupeWindow();
    expect(d.check('1.2.3.4', URL_A, T0)).toBe('new');
    expect(d.check('1.2.3.4', URL_A, T0)).toBe('duplicate');
    expect(d.check('1.2.3.4', URL_A, T0)).toBe('duplicate');
    expect(d.check('1.2.3.5', URL_A, T0)).toBe('new');
    expect(d.check('1.2.3.4', URL_B, T0)).toBe('new');
    expect(d.check('1.2.3.4', URL_A, T0 + 1)).toBe('new');
    expect(d.size).toBe(4);
  });

  it('remembers 5 minutes of event time by default, measured from the latest event', () => {
    const d = new DedupeWindow();
    expect(d.check('v', URL_A, T0)).toBe('new');
    expect(d.check('v', URL_B, T0 + 5 * MIN)).toBe('new');
    expect(d.watermark).toBe(T0);
    // Exactly at the watermark: still inside the window, still checked.
    expect(d.check('v', URL_A, T0)).toBe('duplicate');
    expect(d.check('v', URL_B, T0 + 5 * MIN + 1)).toBe('new');
    // Now older than the window: cannot be checked, reported late (and counted by the caller).
    expect(d.check('v', URL_A, T0)).toBe('late');
    expect(d.check('w', URL_A, T0)).toBe('late');
  });

  it('checks events that arrive out of order within the window', () => {
    const d = new DedupeWindow();
    expect(d.check('v', URL_A, T0 + 4 * MIN)).toBe('new');
    expect(d.check('v', URL_A, T0)).toBe('new');
    expect(d.check('v', URL_A, T0 + 2 * MIN)).toBe('new');
    expect(d.check('v', URL_A, T0)).toBe('duplicate');
    expect(d.check('v', URL_A, T0 + 2 * MIN)).toBe('duplicate');
  });

  it('does not remember late events', () => {
    const d = new DedupeWindow({ windowMs: MIN });
    d.check('v', URL_A, T0 + 10 * MIN);
    expect(d.check('v', URL_A, T0)).toBe('late');
    expect(d.size).toBe(1);
  });

  it('takes a configurable window', () => {
    const d = new DedupeWindow({ windowMs: 1000 });
    d.check('v', URL_A, T0);
    d.check('v', URL_B, T0 + 1000);
    expect(d.check('v', URL_A, T0)).toBe('duplicate');
    d.check('v', URL_B, T0 + 1001);
    expect(d.check('v', URL_A, T0)).toBe('late');
    expect(() => new DedupeWindow({ windowMs: -1 })).toThrow(RangeError);
    expect(() => new DedupeWindow({ windowMs: Number.NaN })).toThrow(RangeError);
  });

  it('a zero window still removes duplicates of the latest instant', () => {
    const d = new DedupeWindow({ windowMs: 0 });
    expect(d.check('v', URL_A, T0)).toBe('new');
    expect(d.check('v', URL_A, T0)).toBe('duplicate');
    expect(d.check('v', URL_A, T0 - 1)).toBe('late');
  });

  it('keeps memory bounded: about two windows of events at most, in order or shuffled', () => {
    // One event a second for a day; window 5 minutes = 300 events.
    const inOrder = new DedupeWindow();
    let max = 0;
    for (let s = 0; s < 86_400; s++) {
      inOrder.check('v', URL_A, T0 + s * 1000);
      max = Math.max(max, inOrder.size);
    }
    expect(max).toBeLessThanOrEqual(302);
    expect(inOrder.size).toBeLessThanOrEqual(302);

    // Out of order by up to 4 minutes (within the window), with every event sent twice.
    const shuffled = new DedupeWindow();
    let seed = 7;
    const jitter = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) % 240) * 1000;
    let dupes = 0;
    let late = 0;
    max = 0;
    for (let s = 0; s < 86_400; s++) {
      const ts = T0 + s * 1000 - jitter();
      for (const v of [shuffled.check(`v${s}`, URL_A, ts), shuffled.check(`v${s}`, URL_A, ts)]) {
        if (v === 'duplicate') dupes++;
        if (v === 'late') late++;
      }
      max = Math.max(max, shuffled.size);
    }
    expect(late).toBe(0);
    expect(dupes).toBe(86_400);
    expect(max).toBeLessThanOrEqual(2 * 300 + 2);
  });
});
