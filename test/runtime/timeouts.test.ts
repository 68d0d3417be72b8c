import { describe, expect, it } from 'vitest';
import { TopologyBuilder, runTopology, type Bolt, type OutputCollector, type Tuple } from '../../src/index.js';
import { FeederSpout } from '../../src/testing/index.js';

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

describe('message timeouts', () => {
  it('fails a tuple that is never acked after messageTimeoutMs (between T and 1.5 T), and the spout is told', async () => {
    const { feeder, topology } = holdingTopology((t) => t.getValue(0) !== 'drop');
    const handle = await runTopology(topology, { config: { messageTimeoutMs: 500 } });
    const t0 = Date.now();
    feeder.feed(['keep'], 'k');
    feeder.feed(['drop'], 'd');
    await feeder.waitFor((t) => t.isAcked('k'), 1000);
    expect(feeder.failed()).toEqual([]);
    await feeder.waitFor((t) => t.isFailed('d'), 3000);
    const elapsed = Date.now() - t0;
    expect(elapsed).toBeGreaterThanOrEqual(450);
    expect(elapsed).toBeLessThan(1500);
    expect(feeder.acked()).toEqual(['k']);
    feeder.finish();
    const summary = await handle.completion;
    expect(summary.spouts['feed']).toMatchObject({ acked: 1, failed: 1 });
  });

  it('resetTimeout keeps a slow tuple alive well past the timeout', async () => {
    const { feeder, held, collector, topology } = holdingTopology(() => false);
    const handle = await runTopology(topology, { config: { messageTimeoutMs: 500 } });
    feeder.feed(['slow'], 's');
    await handle.waitIdle(1000);
    expect(held).toHaveLength(1);
    for (let i = 0; i < 8; i++) {
      await new Promise((r) => setTimeout(r, 150));
      collector().resetTimeout(held[0]!);
    }
    // 1.2 s held: without the resets it would have failed by 750 ms.
    expect(feeder.failed()).toEqual([]);
    collector().ack(held[0]!);
    await feeder.waitFor((t) => t.isAcked('s'), 1000);
    feeder.finish();
    expect((await handle.completion).spouts['feed']).toMatchObject({ acked: 1, failed: 0 });
  });

  it('with enableMessageTimeouts false an unacked tuple stays pending', async () => {
    const { feeder, held, collector, topology } = holdingTopology(() => false);
    const handle = await runTopology(topology, { config: { messageTimeoutMs: 200, enableMessageTimeouts: false } });
    feeder.feed(['x'], 'x');
    await new Promise((r) => setTimeout(r, 800));
    expect(held).toHaveLength(1);
    expect(feeder.failed()).toEqual([]);
    expect(feeder.acked()).toEqual([]);
    expect((await handle.metrics()).pending).toBe(1);
    collector().ack(held[0]!);
    await feeder.waitFor((t) => t.isAcked('x'), 1000);
    feeder.finish();
    expect((await handle.completion).status).toBe('completed');
  });
});
