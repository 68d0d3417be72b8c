// Event-time idleness on the run's clock: under simulated time a silent input stops holding
// the watermark back at the exact tick idleTimeoutMs after it was last active.
import { afterEach, describe, expect, it } from 'vitest';
import { TopologyBuilder, runTopology, windowed, type TopologyHandle, type TupleWindow } from '../../src/index.js';
import { FeederSpout, SimulatedTime } from '../../src/testing/index.js';

let handle: TopologyHandle | undefined;
afterEach(async () => {
  await handle?.stop();
  handle = undefined;
});

describe('event-time idleness under simulated time', () => {
  it('fires once the silent input has been idle for idleTimeoutMs of simulated time, not before', async () => {
    const busy = new FeederSpout(['id', 'ts']);
    const silent = new FeederSpout(['id', 'ts']);
    const fired: Array<{ start: number; end: number; ids: string[] }> = [];
    const b = new TopologyBuilder();
    b.setSpout('busy', busy.factory());
    b.setSpout('silent', silent.factory());
    b.setBolt('w', windowed(() => ({
      execute: (w: TupleWindow) => void fired.push({ start: w.start, end: w.end, ids: w.get().map((t) => t.getString(0)).sort() }),
    }), { tumbling: { durationMs: 1000 }, timestampField: 'ts', idleTimeoutMs: 1000, watermarkIntervalMs: 100 }))
      .shuffleGrouping('busy').shuffleGrouping('silent');
    const time = new SimulatedTime();
    handle = await runTopology(b.build('idle'), { clock: time });
    silent.feed(['s1', 50], 's1');
    busy.feed(['b1', 100], 'b1');
    await time.advance(100); // the tick at 100 sees both inputs: silent was last active at 100
    busy.feed(['b2', 1500], 'b2');
    await time.advanceTo(1099);
    expect(fired).toEqual([]); // the watermark is held at 50 by the silent input
    await time.advanceTo(1100); // 1000 ms after its last activity: idle, the watermark follows busy
    expect(fired).toEqual([{ start: 0, end: 1000, ids: ['b1', 's1'] }]);
    expect([...busy.acked(), ...silent.acked()].sort()).toEqual(['b1', 's1']);
  });
});
