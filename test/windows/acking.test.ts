import { afterEach, describe, expect, it } from 'vitest';
import type { Step } from '../fixtures/windows/parts.js';
import { WindowRun, type LogEvent } from './harness.js';

const at = (log: LogEvent[], test: (e: LogEvent) => boolean): number => {
  const i = log.findIndex(test);
  expect(i, 'event missing from the log').toBeGreaterThanOrEqual(0);
  return i;
};
const ack = (id: number | string) => (e: LogEvent) => e.ev === 'ack' && e.id === id;
const fire = (end: number) => (e: LogEvent) => e.ev === 'fire' && e.end === end;

describe('window acking across threads', () => {
  let run: WindowRun;
  afterEach(async () => run?.close());

  it('acks a tuple only after the last window holding it fired (sliding 1 s every 500 ms)', async () => {
    run = await new WindowRun().start('ack-order.ts', [[
      { values: [1, 'k', 100] }, // in the windows ending 500 and 1000
      { values: [2, 'k', 650] }, // watermark 650: the window ending 500 fires with 1
      // A canary behind every window: late, so acked at once by the same task, after any ack
      // the firing of 500 caused (same task -> same acker -> this spout, in order).
      { values: ['c', 'k', -5000], afterMarker: 'fired-500' },
      { values: [3, 'k', 1100], afterAck: 'c' }, // watermark 1100: the window ending 1000 fires
      { values: [-1, 'k', 10_000], tracked: false, afterMarker: 'fired-1000' },
    ]]);
    const summary = await run.completion();
    expect(summary.status).toBe('completed');
    const log = run.log();
    expect(run.fires().filter((f) => f.end <= 2000).map((f) => [f.end, f.ids])).toEqual([[500, [1]], [1000, [1, 2]], [1500, [2, 3]], [2000, [3]]]);
    expect(at(log, ack(1))).toBeGreaterThan(at(log, ack('c')));
    expect(at(log, ack(1))).toBeGreaterThan(at(log, fire(1000)));
    expect(at(log, ack(2))).toBeGreaterThan(at(log, fire(1500)));
    expect(at(log, ack(3))).toBeGreaterThan(at(log, fire(2000)));
    expect(summary.spouts['events']).toMatchObject({ acked: 4, failed: 0 });
  });

  it("a window whose execute throws fails its tuples, the spout replays them, and each is acked once in the end", async () => {
    const steps: Step[] = Array.from({ length: 8 }, (_, i) => ({ values: [i, 'k', i] }));
    run = await new WindowRun().start('count-tumbling.ts', [steps], { failOnce: 4, replay: true });
    const summary = await run.completion();
    expect(summary.status).toBe('completed');
    const log = run.log();
    const fails = log.flatMap((e) => (e.ev === 'fail' ? [e.id] : []));
    expect([...fails].sort()).toEqual([0, 1, 2, 3]);
    const fires = run.fires();
    expect(fires[0]).toMatchObject({ end: 4, ids: [0, 1, 2, 3], failing: true });
    // The replays arrive as new input: 12 arrivals in all, three windows, every id acked once.
    expect(fires).toHaveLength(3);
    expect(fires.slice(1).flatMap((f) => f.ids).sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect([...run.acked()].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    for (const id of [0, 1, 2, 3]) expect(at(log, ack(id))).toBeGreaterThan(at(log, (e) => e.ev === 'fail' && e.id === id));
    expect(summary.spouts['events']).toMatchObject({ acked: 8, failed: 4 });
    expect(summary.bolts['w']!.errors).toBe(1);
    expect(summary.lastErrors['w']).toMatch(/failing window ending 4 once/);
  });
});
