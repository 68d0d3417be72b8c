import { describe, expect, it } from 'vitest';
import { BaseBasicBolt, type BasicOutputCollector, type Bolt, type OutputCollector, type OutputFieldsDeclarer, type Tuple } from '../../src/index.js';
import { runBolt } from '../../src/testing/index.js';

class Splitter extends BaseBasicBolt {
  override declareOutputFields(d: OutputFieldsDeclarer): void {
    d.declare(['word']);
  }
  execute(t: Tuple, c: BasicOutputCollector): void {
    const text = t.getStringByField('sentence');
    if (text === 'boom') throw new Error('cannot split boom');
    for (const w of text.split(' ')) c.emit([w]);
  }
}

/** Rich bolt: joins pairs of inputs into one output anchored to both, holds odd ones out. */
function pairer(): Bolt {
  let c!: OutputCollector;
  let held: Tuple | null = null;
  return {
    declareOutputFields: (d) => d.declare(['a', 'b']),
    prepare: (_conf, _ctx, collector) => void (c = collector),
    execute(t) {
      if (held === null) {
        held = t;
        return;
      }
      c.emit([held, t], [held.getValue(0), t.getValue(0)]);
      c.ack(held);
      c.ack(t);
      held = null;
    },
  };
}

describe('runBolt', () => {
  it('auto-acks a BasicBolt, anchors each emit to its input and fails the input that throws', async () => {
    const fields = ['sentence'];
    const r = await runBolt(Splitter, [
      { values: ['a b'], fields },
      { values: ['boom'], fields },
      { values: ['c'], fields },
    ]);
    expect(r.emitted).toEqual([
      { stream: 'default', values: ['a'], anchors: [0] },
      { stream: 'default', values: ['b'], anchors: [0] },
      { stream: 'default', values: ['c'], anchors: [2] },
    ]);
    expect(r.acked.sort()).toEqual([0, 2]);
    expect(r.failed).toEqual([1]);
    expect(r.pending).toEqual([]);
    expect(r.errors).toEqual([{ input: 1, message: 'cannot split boom' }]);
    expect(r.summary.bolts['bolt']!.errors).toBe(1);
  });

  it('fails the input of a BasicBolt whose async execute rejects', async () => {
    class Slow extends BaseBasicBolt {
      async execute(t: Tuple): Promise<void> {
        await new Promise((r) => setTimeout(r, 5));
        if (t.getValue(0) === 'bad') throw new Error('rejected');
      }
    }
    const r = await runBolt(Slow, [{ values: ['ok'] }, { values: ['bad'] }]);
    expect(r.acked).toEqual([0]);
    expect(r.failed).toEqual([1]);
    expect(r.errors).toEqual([{ input: 1, message: 'rejected' }]);
  });

  it('reports multi-anchored emits by input index and leaves a held input pending', async () => {
    const r = await runBolt(pairer, [{ values: [1] }, { values: [2] }, { values: [3] }]);
    expect(r.emitted).toEqual([{ stream: 'default', values: [1, 2], anchors: [0, 1] }]);
    expect(r.acked).toEqual([0, 1]);
    expect(r.failed).toEqual([]);
    expect(r.pending).toEqual([2]);
  });

  it('keeps the order of inputs from several sources and streams', async () => {
    const seen: string[] = [];
    const recorder = (): BaseBasicBolt => new (class extends BaseBasicBolt {
      execute(t: Tuple): void {
        seen.push(`${t.sourceComponent}/${t.sourceStreamId}/${String(t.getValue(0))}`);
      }
    })();
    const r = await runBolt(recorder, [
      { source: 'a', values: [1] },
      { source: 'b', stream: 'side', values: [2], fields: ['x'] },
      { source: 'a', values: [3] },
      { source: 'b', stream: 'side', values: [4], fields: ['x'] },
    ]);
    expect(seen).toEqual(['a/default/1', 'b/side/2', 'a/default/3', 'b/side/4']);
    expect(r.acked).toEqual([0, 1, 2, 3]);
  });

  it('rejects inputs whose fields disagree within one stream', async () => {
    await expect(runBolt(Splitter, [{ values: ['x'], fields: ['sentence'] }, { values: ['y'], fields: ['other'] }]))
      .rejects.toThrow(/input 1 gives fields \(other\) for 'source' stream 'default'/);
  });
});
