import { afterEach, describe, expect, it } from 'vitest';
import type { Step } from '../fixtures/windows/parts.js';
import { WindowRun } from './harness.js';

describe('tumbling count windows across threads', () => {
  let run: WindowRun;
  afterEach(async () => run?.close());

  it('fires every 4 tuples with exactly those 4, and acks each tuple once its window fired', async () => {
    const steps: Step[] = Array.from({ length: 12 }, (_, i) => ({ values: [i, 'k', i] }));
    run = await new WindowRun().start('count-tumbling.ts', [steps]);
    const summary = await run.completion();
    expect(summary.status).toBe('completed');
    const fires = run.fires();
    expect(fires.map((f) => [f.start, f.end, f.ids])).toEqual([
      [0, 4, [0, 1, 2, 3]],
      [4, 8, [4, 5, 6, 7]],
      [8, 12, [8, 9, 10, 11]],
    ]);
    // Tumbling: everything is new, and the previous window is what expired.
    expect(fires.map((f) => f.fresh)).toEqual(fires.map((f) => f.ids));
    expect(fires.map((f) => f.expired)).toEqual([[], [0, 1, 2, 3], [4, 5, 6, 7]]);
    expect([...run.acked()].sort((a, b) => Number(a) - Number(b))).toEqual(steps.map((_, i) => i));
    expect(summary.spouts['events']).toMatchObject({ acked: 12, failed: 0 });
    // The window outputs were anchored to the window's tuples and acked downstream.
    expect(summary.bolts['sink']).toMatchObject({ executed: 3, acked: 3 });
  });
});
