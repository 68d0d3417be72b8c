import { afterEach, describe, expect, it } from 'vitest';
import { TopologyBuilder, runTopology, windowed, type TopologyHandle, type TupleWindow } from '../../src/index.js';
import { FeederSpout, SimulatedTime } from '../../src/testing/index.js';

let handle: TopologyHandle | undefined;
afterEach(async () => {
  await handle?.stop();
  handle = undefined;
});

function topology(fired: Array<{ start: number; end: number; ids: number[] }>, options: Parameters<typeof windowed>[1]) {
  const feeder = new FeederSpout(['id']);
  const b = new TopologyBuilder();
  b.setSpout('ids', feeder.factory());
  b.setBolt('w', windowed(() => ({
    execute: (w: TupleWindow) => void fired.push({ start: w.start, end: w.end, ids: w.get().map((t) => t.getValue(0) as number) }),
  }), options)).shuffleGrouping('ids');
  return { feeder, topology: b.build('processing') };
}

describe('processing-time windows (simulated time, in the calling thread)', () => {
  it('tumbling 200 ms: fire on ticks with no further input, each tuple in the window of its arrival, all acked', async () => {
    const fired: Array<{ start: number; end: number; ids: number[] }> = [];
    const { feeder, topology: t } = topology(fired, { tumbling: { durationMs: 200 } });
    const time = new SimulatedTime(1_000_000);
    handle = await runTopology(t, { clock: time });
    // Ten tuples every 50 ms: four per window, the last two windows with no input after them.
    for (let i = 0; i < 10; i++) {
      feeder.feed([i], i);
      await time.advance(50);
    }
    expect(feeder.acked()).toHaveLength(8);
    await time.advance(100);
    expect(fired).toEqual([
      { start: 1_000_000, end: 1_000_200, ids: [0, 1, 2, 3] },
      { start: 1_000_200, end: 1_000_400, ids: [4, 5, 6, 7] },
      { start: 1_000_400, end: 1_000_600, ids: [8, 9] },
    ]);
    expect(feeder.acked().sort((a, b) => Number(a) - Number(b))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(feeder.failed()).toEqual([]);
    feeder.finish();
    expect((await handle.completion).status).toBe('completed');
  });

  it('sliding 300 ms every 100 ms: a tuple is in three windows and acked when the last of them fired', async () => {
    const fired: Array<{ start: number; end: number; ids: number[] }> = [];
    const { feeder, topology: t } = topology(fired, { sliding: { durationMs: 300, everyMs: 100 } });
    const time = new SimulatedTime();
    handle = await runTopology(t, { clock: time });
    await time.advance(150);
    feeder.feed([1], 1); // arrives at 150
    await time.advance(249);
    expect(fired.map((f) => f.end)).toEqual([200, 300]);
    expect(feeder.acked()).toEqual([]);
    await time.advance(1); // 400: its last window [100, 400)
    expect(fired).toEqual([
      { start: -100, end: 200, ids: [1] },
      { start: 0, end: 300, ids: [1] },
      { start: 100, end: 400, ids: [1] },
    ]);
    expect(feeder.acked()).toEqual([1]);
  });
});
