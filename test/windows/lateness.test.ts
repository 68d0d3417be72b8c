import { afterEach, describe, expect, it } from 'vitest';
import type { Step } from '../fixtures/windows/parts.js';
import { WindowRun, type Fire } from './harness.js';

const s = (id: number, ts: number, gate: Partial<Step> = {}): Step => ({ values: [id, 'k', ts], ...gate });

describe('event time: lag, allowed lateness and the late stream (tumbling 1 s, lag 100 ms, lateness 500 ms)', () => {
  let run: WindowRun;
  afterEach(async () => run?.close());

  it('takes out-of-order tuples within the lag, re-fires for late ones within the lateness, sends later ones to the late stream acked', async () => {
    run = await new WindowRun().start('lateness.ts', [[
      s(1, 100), s(2, 200), s(3, 900), s(4, 1050), // watermark 950: [0,1000) not due
      s(5, 990, { afterMs: 100 }), // 60 ms out of order, within the lag
      s(6, 1150, { afterMs: 100 }), // watermark 1050: [0,1000) fires with 5
      s(7, 950, { afterMarker: 'fired-1000' }), // late but within the lateness: an update
      s(8, 1700, { afterMarker: 'fired-1000-2' }), // watermark 1600: [0,1000) closes, its tuples are acked
      s(9, 500, { afterAck: 7 }), // beyond the lateness: the late stream
      s(10, 2500, { afterAck: 9 }), // watermark 2400: [1000,2000) fires
      { values: [-1, 'k', 10_000], tracked: false, afterMarker: 'fired-2000' },
    ]]);
    const summary = await run.completion();
    expect(summary.status).toBe('completed');
    const fires = run.fires().filter((f) => f.end <= 3000);
    const brief = (f: Fire) => ({ start: f.start, end: f.end, ids: [...f.ids].sort(), fresh: [...f.fresh].sort(), update: f.update });
    expect(fires.map(brief)).toEqual([
      { start: 0, end: 1000, ids: [1, 2, 3, 5], fresh: [1, 2, 3, 5], update: false },
      { start: 0, end: 1000, ids: [1, 2, 3, 5, 7], fresh: [7], update: true },
      { start: 1000, end: 2000, ids: [4, 6, 8], fresh: [4, 6, 8], update: false },
      { start: 2000, end: 3000, ids: [10], fresh: [10], update: false },
    ]);
    // [0,1000)'s tuples left the buffer when it closed: expired at the next firing.
    expect([...fires[2]!.expired].sort()).toEqual([1, 2, 3, 5, 7]);
    const log = run.log();
    expect(log.filter((e) => e.ev === 'late')).toEqual([{ ev: 'late', id: 9, ts: 500, from: 'events' }]);
    // Held while the window was open for updates: acked only after the update fired.
    const update = log.findIndex((e) => e.ev === 'fire' && e.update);
    for (const id of [1, 2, 3, 5, 7]) expect(log.findIndex((e) => e.ev === 'ack' && e.id === id)).toBeGreaterThan(update);
    expect([...run.acked()].sort((a, b) => Number(a) - Number(b))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(summary.spouts['events']).toMatchObject({ acked: 10, failed: 0 });
    expect(summary.bolts['late']).toMatchObject({ executed: 1, acked: 1 });
  });

  it('a tuple whose timestamp is not a finite number is failed and reported naming the bolt; the task goes on', async () => {
    run = await new WindowRun().start('lateness.ts', [[
      { values: [1, 'k', 'soon'] },
      { values: [2, 'k', null] },
      s(3, 100),
      { values: [-1, 'k', 10_000], tracked: false },
    ]]);
    const summary = await run.completion();
    // The failed tuple is not replayed by this spout: a tree that never completed.
    expect(summary.status).toBe('completed-with-failures');
    expect(run.log().filter((e) => e.ev === 'fail').map((e) => (e as { id: unknown }).id)).toEqual([1, 2]);
    expect(run.acked()).toEqual([3]);
    expect(summary.bolts['w']!.errors).toBe(2);
    expect(summary.lastErrors['w']).toMatch(/bolt 'w': a tuple from 'events' stream 'default' has no usable event time: timestamp field 'ts' is null, not a finite number/);
    expect(run.fires()[0]).toMatchObject({ start: 0, end: 1000, ids: [3] });
  });
});
