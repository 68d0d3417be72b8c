import { describe, expect, it } from 'vitest';
import { TopologyBuilder, runTopology, windowed, type TupleWindow } from '../../src/index.js';
import { FeederSpout } from '../../src/testing/index.js';

describe('processing-time windows (tumbling 200 ms, in the calling thread)', () => {
  it('fires on ticks with no further input, each tuple in exactly one window, and acks them all', async () => {
    const feeder = new FeederSpout(['id']);
    const fired: Array<{ start: number; end: number; ids: number[] }> = [];
    const b = new TopologyBuilder();
    b.setSpout('ids', feeder.factory());
    b.setBolt('w', windowed(() => ({
      execute: (w: TupleWindow) => void fired.push({ start: w.start, end: w.end, ids: w.get().map((t) => t.getValue(0) as number) }),
    }), { tumbling: { durationMs: 200 } })).shuffleGrouping('ids');
    const handle = await runTopology(b.build('processing'));
    const t0 = Date.now();
    for (let i = 0; i < 10; i++) feeder.feed([i], i);
    // No more input: only ticks can fire the window these are in.
    await feeder.waitFor((t) => t.acked().length === 10, 3000);
    expect(Date.now() - t0).toBeLessThan(1500);
    for (let i = 10; i < 20; i++) feeder.feed([i], i);
    await feeder.waitFor((t) => t.acked().length === 20, 3000);
    feeder.finish();
    const summary = await handle.completion;
    expect(summary.status).toBe('completed');
    expect(fired.flatMap((f) => f.ids).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    for (const f of fired) {
      expect(f.end - f.start).toBe(200);
      expect(f.end % 200).toBe(0);
    }
    // Windows do not overlap and come in order.
    for (let i = 1; i < fired.length; i++) expect(fired[i]!.start).toBeGreaterThanOrEqual(fired[i - 1]!.end);
    expect(feeder.failed()).toEqual([]);
  });
});
