// Message timeouts under simulated time: exact instants instead of wall-clock ranges, and the
// default 30 s timeout itself instead of a shortened one.
import { afterEach, describe, expect, it } from 'vitest';
import { TopologyBuilder, runTopology, type Bolt, type OutputCollector, type TopologyHandle, type Tuple } from '../../src/index.js';
import { FeederSpout, SimulatedTime } from '../../src/testing/index.js';

/** A rich bolt that acks what `decide` says to ack at once, and keeps the rest in `held`. */
function holdingTopology(decide: (t: Tuple) => boolean) {
  const feeder = new FeederSpout(['v']);
  const held: Tuple[] = [];
  const ref: { c?: OutputCollector } = {};
  const bolt = (): Bolt => ({
    declareOutputFields() {},
    prepare: (_conf, _ctx, c) => void (ref.c = c),
    execute(t) {
      if (decide(t)) ref.c!.ack(t);
      else held.push(t);
    },
  });
  const b = new TopologyBuilder();
  b.setSpout('feed', feeder.factory());
  b.setBolt('bolt', bolt).shuffleGrouping('feed');
  return { feeder, held, collector: () => ref.c!, topology: b.build('timeouts') };
}

let handle: TopologyHandle | undefined;
afterEach(async () => {
  await handle?.stop();
  handle = undefined;
});

describe('message timeouts', () => {
  it('fails a tuple that is never acked exactly messageTimeoutMs (default 30 s) after its emit, and the spout is told', async () => {
    const { feeder, topology } = holdingTopology((t) => t.getValue(0) !== 'drop');
    const time = new SimulatedTime();
    handle = await runTopology(topology, { clock: time });
    feeder.feed(['keep'], 'k');
    feeder.feed(['drop'], 'd');
    await time.advance(29_999);
    expect(feeder.acked()).toEqual(['k']);
    expect(feeder.failed()).toEqual([]);
    await time.advance(1);
    expect(feeder.failed()).toEqual(['d']);
    expect(feeder.acked()).toEqual(['k']);
    feeder.finish();
    const summary = await handle.completion;
    expect(summary.spouts['feed']).toMatchObject({ acked: 1, failed: 1 });
  });

  it('with enableMessageTimeouts false an unacked tuple stays pending', async () => {
    const { feeder, held, collector, topology } = holdingTopology(() => false);
    const time = new SimulatedTime();
    handle = await runTopology(topology, { clock: time, config: { messageTimeoutMs: 200, enableMessageTimeouts: false } });
    feeder.feed(['x'], 'x');
    await time.advance(3_600_000);
    expect(held).toHaveLength(1);
    expect(feeder.failed()).toEqual([]);
    expect(feeder.acked()).toEqual([]);
    expect((await handle.metrics()).pending).toBe(1);
    collector().ack(held[0]!);
    await time.settle();
    expect(feeder.acked()).toEqual(['x']);
    feeder.finish();
    expect((await handle.completion).status).toBe('completed');
  });

  it('on real time too, a tuple that is never acked fails (once, at or after the timeout)', async () => {
    const { feeder, topology } = holdingTopology(() => false);
    handle = await runTopology(topology, { config: { messageTimeoutMs: 100 } });
    feeder.feed(['drop'], 'd');
    await feeder.waitFor((t) => t.isFailed('d'), 5000);
    expect(feeder.failed()).toEqual(['d']);
  });
});
