import { describe, expect, it } from 'vitest';
import { BaseBasicBolt, TopologyBuilder, runTopology, type Bolt, type OutputCollector, type Tuple } from '../../src/index.js';
import { FeederSpout } from '../../src/testing/index.js';

/** Rich bolt: throws on negative numbers, acks the rest. */
const picky = (): Bolt => {
  let c!: OutputCollector;
  return {
    declareOutputFields() {},
    prepare: (_conf, _ctx, collector) => void (c = collector),
    execute(t) {
      if ((t.getValue(0) as number) < 0) throw new Error(`negative: ${String(t.getValue(0))}`);
      c.ack(t);
    },
  };
};

class AsyncCheck extends BaseBasicBolt {
  async execute(t: Tuple): Promise<void> {
    await new Promise((r) => setTimeout(r, 2));
    if ((t.getValue(0) as number) < 0) throw new Error('rejected negative');
  }
}

class SyncCheck extends BaseBasicBolt {
  execute(t: Tuple): void {
    if ((t.getValue(0) as number) < 0) throw new Error('thrown negative');
  }
}

async function run(bolt: Parameters<TopologyBuilder['setBolt']>[1], values: number[]) {
  const feeder = new FeederSpout(['n']);
  const b = new TopologyBuilder();
  b.setSpout('feed', feeder.factory());
  b.setBolt('check', bolt).shuffleGrouping('feed');
  const errors: Array<{ component: string; message: string }> = [];
  const handle = await runTopology(b.build('errors'), { onError: (e) => errors.push(e) });
  values.forEach((v, i) => feeder.feed([v], i));
  feeder.finish();
  const summary = await handle.completion;
  return { feeder, summary, errors };
}

describe('bolt errors', () => {
  it('a bolt that throws fails its tuple, counts the error and the run goes on', async () => {
    const { feeder, summary, errors } = await run(picky, [1, -2, 3, -4, 5]);
    // The feeder does not replay its two failed tuples: a run that is not a clean success.
    expect(summary.status).toBe('completed-with-failures');
    expect(feeder.acked().sort()).toEqual([0, 2, 4]);
    expect(feeder.failed().sort()).toEqual([1, 3]);
    expect(summary.bolts['check']).toMatchObject({ executed: 5, acked: 3, failed: 2, errors: 2 });
    expect(summary.lastErrors['check']).toMatch(/^Error: negative: -(2|4)$/);
    expect(errors[0]!.component).toBe('check');
    expect(errors[0]!.message).toContain('negative: -2');
  });

  it('a BasicBolt whose async execute rejects fails the input; the others are acked', async () => {
    const { feeder, summary } = await run(AsyncCheck, [1, -1, 2]);
    expect(feeder.acked().sort()).toEqual([0, 2]);
    expect(feeder.failed()).toEqual([1]);
    expect(summary.bolts['check']).toMatchObject({ acked: 2, failed: 1, errors: 1 });
    expect(summary.lastErrors['check']).toContain('rejected negative');
  });

  it('a BasicBolt that throws synchronously fails the input', async () => {
    const { feeder, summary } = await run(SyncCheck, [-1, 2]);
    expect(feeder.failed()).toEqual([0]);
    expect(feeder.acked()).toEqual([1]);
    expect(summary.bolts['check']!.errors).toBe(1);
  });
});
