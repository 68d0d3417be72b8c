// Storm's withSimulatedTime scenarios on topo's public testing API: timeouts, resetTimeout,
// processing-time windows and tick tuples move only when the test advances the clock.
import { afterEach, describe, expect, it } from 'vitest';
import {
  TopologyBuilder, runTopology, windowed,
  type Bolt, type OutputCollector, type Tuple, type TupleWindow, type TopologyHandle,
} from '../../src/index.js';
import { FeederSpout, SimulatedTime } from '../../src/testing/index.js';

let handle: TopologyHandle | undefined;
afterEach(async () => {
  await handle?.stop();
  handle = undefined;
});

/** A spout -> bolt topology whose bolt holds every tuple (a test acks or resets them). */
function holding() {
  const feeder = new FeederSpout(['v']);
  const held: Tuple[] = [];
  const ref: { c?: OutputCollector } = {};
  const bolt = (): Bolt => ({
    declareOutputFields() {},
    prepare: (_conf, _ctx, c) => void (ref.c = c),
    execute: (t) => void held.push(t),
  });
  const b = new TopologyBuilder();
  b.setSpout('feed', feeder.factory());
  b.setBolt('hold', bolt).shuffleGrouping('feed');
  return { feeder, held, collector: () => ref.c!, topology: b.build('simulated') };
}

describe('simulated time', () => {
  it('a tuple times out exactly messageTimeoutMs after its emit, and a replay is a new tree', async () => {
    const { feeder, held, topology } = holding();
    const time = new SimulatedTime();
    handle = await runTopology(topology, { clock: time, config: { messageTimeoutMs: 30_000 } });
    feeder.feed(['a'], 'a');
    await time.advance(10_000);
    feeder.feed(['b'], 'b'); // emitted at 10 s
    await time.advance(19_999);
    expect(held.map((t) => t.getValue(0))).toEqual(['a', 'b']);
    expect(feeder.failed()).toEqual([]);
    await time.advance(1); // 30 s: a is due, b is not
    expect(feeder.failed()).toEqual(['a']);
    feeder.feed(['a'], 'a'); // the replay, emitted at 30 s
    await time.advance(9_999);
    expect(feeder.failed()).toEqual(['a']);
    await time.advance(1); // 40 s: b
    expect(feeder.failed()).toEqual(['a', 'b']);
    await time.advance(20_000); // 60 s: the replay of a
    expect(feeder.failed()).toEqual(['a', 'b', 'a']);
    expect(time.now()).toBe(60_000);
  });

  it('resetTimeout keeps a tuple alive for as long as it is reset, then it times out T after the last reset', async () => {
    const { feeder, held, collector, topology } = holding();
    const time = new SimulatedTime();
    handle = await runTopology(topology, { clock: time, config: { messageTimeoutMs: 10_000 } });
    feeder.feed(['slow'], 's');
    await time.settle();
    expect(held).toHaveLength(1);
    for (let i = 0; i < 10; i++) {
      await time.advance(9_000);
      collector().resetTimeout(held[0]!);
    }
    await time.settle(); // the reset reaches the spout (through the acker) at 90 s
    expect(feeder.failed()).toEqual([]);
    await time.advance(9_999);
    expect(feeder.failed()).toEqual([]);
    await time.advance(1);
    expect(feeder.failed()).toEqual(['s']);
  });

  it('an acked tuple never times out (reset or not), and the spout completes as soon as it is acked', async () => {
    const { feeder, held, collector, topology } = holding();
    const time = new SimulatedTime();
    handle = await runTopology(topology, { clock: time, config: { messageTimeoutMs: 1_000 } });
    feeder.feed(['x'], 'x');
    feeder.feed(['y'], 'y');
    await time.advance(999);
    collector().ack(held[0]!);
    // y is reset past its timeout twice, then acked: a reset tree still completes by its acks.
    collector().resetTimeout(held[1]!);
    await time.advance(999);
    collector().resetTimeout(held[1]!);
    await time.advance(999);
    collector().ack(held[1]!);
    await time.advance(5_000);
    expect(feeder.acked()).toEqual(['x', 'y']);
    expect(feeder.failed()).toEqual([]);
  });

  it('a tumbling processing-time window fires when time passes its end, with no further input', async () => {
    const feeder = new FeederSpout(['id']);
    const fired: Array<{ start: number; end: number; ids: unknown[] }> = [];
    const b = new TopologyBuilder();
    b.setSpout('ids', feeder.factory());
    b.setBolt('w', windowed(() => ({
      execute: (w: TupleWindow) => void fired.push({ start: w.start, end: w.end, ids: w.get().map((t) => t.getValue(0)) }),
    }), { tumbling: { durationMs: 60_000 } })).shuffleGrouping('ids');
    const time = new SimulatedTime();
    handle = await runTopology(b.build('window', { messageTimeoutMs: 300_000 }), { clock: time });
    feeder.feed([1], 1);
    feeder.feed([2], 2);
    await time.advance(59_999);
    expect(fired).toEqual([]);
    feeder.feed([3], 3);
    await time.advance(1);
    expect(fired).toEqual([{ start: 0, end: 60_000, ids: [1, 2, 3] }]);
    expect(feeder.acked()).toEqual([1, 2, 3]);
    feeder.feed([4], 4); // at 60 s: the next window
    await time.advance(60_000);
    expect(fired[1]).toEqual({ start: 60_000, end: 120_000, ids: [4] });
  });

  it('a tick tuple arrives every N simulated seconds, and not before', async () => {
    const ticks: number[] = [];
    const feeder = new FeederSpout(['v']);
    const time = new SimulatedTime(1_000_000);
    const b = new TopologyBuilder();
    b.setSpout('feed', feeder.factory());
    b.setBolt('ticked', () => ({
      declareOutputFields() {},
      prepare() {},
      execute: (t: Tuple) => void (t.isTick() && ticks.push(time.now())),
    })).shuffleGrouping('feed').setTickFrequency(5_000);
    handle = await runTopology(b.build('ticks'), { clock: time });
    await time.advance(4_999);
    expect(ticks).toEqual([]);
    await time.advance(20_001);
    expect(ticks).toEqual([1_005_000, 1_010_000, 1_015_000, 1_020_000, 1_025_000]);
  });

  it('refuses what it cannot simulate: a topology file, time going back, a step inside a step', async () => {
    const time = new SimulatedTime(100);
    await expect(runTopology('topologies/wordcount.ts', { clock: time })).rejects.toThrow(/option clock needs a Topology object/);
    await expect(time.advanceTo(99)).rejects.toThrow(/never moves back/);
    expect(() => time.advance(-1)).toThrow(/non-negative/);
    const first = time.advance(10);
    await expect(time.advance(10)).rejects.toThrow(/another advance is running/);
    await first;
    expect(time.now()).toBe(110);
  });
});
