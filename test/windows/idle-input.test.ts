import { afterEach, describe, expect, it } from 'vitest';
import type { Step } from '../fixtures/windows/parts.js';
import { WindowRun } from './harness.js';

describe('event time with an idle input task (idleTimeoutMs 300)', () => {
  let run: WindowRun;
  afterEach(async () => run?.close());

  it('a spout task that goes silent stops holding the watermark back, and the windows fire', async () => {
    // Task 0 keeps sending (a tuple every 40 ms, 100 ms of event time each); task 1 sends two
    // early tuples and falls silent. Without idleness the watermark would stay below 60.
    const busy: Step[] = Array.from({ length: 30 }, (_, i) => ({ values: [i, 'k', i * 100], afterMs: 40 }));
    busy.push({ values: [-1, 'k', 100_000], tracked: false, afterMs: 40 });
    const silent: Step[] = [{ values: [1000, 'k', 50] }, { values: [1001, 'k', 60] }];
    run = await new WindowRun().start('idle.ts', [busy, silent]);
    const summary = await run.completion();
    expect(summary.status).toBe('completed');
    const fires = run.fires().filter((f) => f.end <= 3000);
    expect(fires.map((f) => [f.start, f.end, [...f.ids].sort((a, b) => Number(a) - Number(b))])).toEqual([
      [0, 1000, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 1000, 1001]],
      [1000, 2000, [10, 11, 12, 13, 14, 15, 16, 17, 18, 19]],
      [2000, 3000, [20, 21, 22, 23, 24, 25, 26, 27, 28, 29]],
    ]);
    expect(summary.spouts['events']).toMatchObject({ acked: 32, failed: 0 });
  });
});
