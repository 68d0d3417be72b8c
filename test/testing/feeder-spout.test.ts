import { describe, expect, it } from 'vitest';
import { BaseBasicBolt, TopologyBuilder, runTopology, type Bolt, type OutputCollector, type Tuple } from '../../src/index.js';
import { FeederSpout } from '../../src/testing/index.js';

class FailOdd extends BaseBasicBolt {
  execute(t: Tuple): void {
    if ((t.getValue(0) as number) % 2 === 1) throw new Error('odd');
  }
}

describe('FeederSpout', () => {
  it('emits fed tuples once across tasks, records acks and fails, and completes after finish()', async () => {
    const feeder = new FeederSpout(['n']);
    const b = new TopologyBuilder();
    b.setSpout('feed', feeder.factory(), 2);
    b.setBolt('check', FailOdd, 2).shuffleGrouping('feed');
    const handle = await runTopology(b.build('feeder'));
    for (let i = 0; i < 6; i++) feeder.feed([i], `m${i}`);
    await feeder.waitFor((t) => t.acked().length + t.failed().length === 6, 2000);
    expect(feeder.acked().sort()).toEqual(['m0', 'm2', 'm4']);
    expect(feeder.failed().sort()).toEqual(['m1', 'm3', 'm5']);
    feeder.finish();
    const summary = await handle.completion;
    // The feeder does not replay: the three failed trees never completed.
    expect(summary.status).toBe('completed-with-failures');
    expect(summary.spouts['feed']).toMatchObject({ emitted: 6, failed: 3, dropped: 3, deadLettered: 0 });
    expect(summary.bolts['check']!.executed).toBe(6);
  });

  it('refuses values that do not match its fields', () => {
    const feeder = new FeederSpout(['a', 'b']);
    expect(() => feeder.feed([1])).toThrow(/expected 2 value\(s\) \(a, b\)/);
  });

  it('waitFor rejects with what was seen when the condition is not met in time', async () => {
    const feeder = new FeederSpout(['n']);
    feeder.recordAck(1);
    await expect(feeder.waitFor((t) => t.isAcked(2), 30)).rejects.toThrow(/acked: 1; failed: none/);
  });
});

describe('waitIdle', () => {
  it('shows a held tuple is not acked yet, and acked once the bolt lets it go', async () => {
    const feeder = new FeederSpout(['n']);
    const held: Tuple[] = [];
    let collector!: OutputCollector;
    const holder = (): Bolt => ({
      declareOutputFields() {},
      prepare: (_c, _ctx, c) => void (collector = c),
      execute: (t) => void held.push(t),
    });
    const b = new TopologyBuilder();
    b.setSpout('feed', feeder.factory());
    b.setBolt('hold', holder).shuffleGrouping('feed');
    const handle = await runTopology(b.build('hold'));
    feeder.feed([1], 'one');
    feeder.feed([2], 'two');
    expect(await handle.waitIdle(2000)).toBe(true);
    expect(held.map((t) => t.getValue(0))).toEqual([1, 2]);
    expect(feeder.acked()).toEqual([]);
    expect(feeder.failed()).toEqual([]);
    expect((await handle.metrics()).pending).toBe(2);

    collector.ack(held[1]!);
    await feeder.waitFor((t) => t.isAcked('two'), 1000);
    expect(await handle.waitIdle(2000)).toBe(true);
    expect(feeder.acked()).toEqual(['two']);

    collector.ack(held[0]!);
    feeder.finish();
    const summary = await handle.completion;
    expect(feeder.acked()).toEqual(['two', 'one']);
    expect(summary.status).toBe('completed');
  });
});
