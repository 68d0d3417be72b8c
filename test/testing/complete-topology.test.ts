import { describe, expect, it } from 'vitest';
import {
  BaseBasicBolt, BaseSpout, TopologyBuilder,
  type BasicOutputCollector, type OutputFieldsDeclarer, type SpoutOutputCollector, type Tuple,
} from '../../src/index.js';
import { completeTopology, SimulatedTime } from '../../src/testing/index.js';

/** A spout that would emit forever: completeTopology must replace it. */
class Endless extends BaseSpout {
  private c!: SpoutOutputCollector;
  declareOutputFields(d: OutputFieldsDeclarer): void {
    d.declare(['sentence']);
  }
  open(_conf: unknown, _ctx: unknown, c: SpoutOutputCollector): void {
    this.c = c;
  }
  nextTuple(): void {
    this.c.emit(['never mocked'], 'x');
  }
}

class Split extends BaseBasicBolt {
  override declareOutputFields(d: OutputFieldsDeclarer): void {
    d.declare(['word']);
    d.declareStream('lengths', ['n']);
  }
  execute(t: Tuple, c: BasicOutputCollector): void {
    const s = t.getString(0);
    if (s === 'fail me') throw new Error('refused');
    for (const w of s.split(' ')) c.emit([w]);
    c.emit([s.length], 'lengths');
  }
}

class Count extends BaseBasicBolt {
  private counts = new Map<string, number>();
  override declareOutputFields(d: OutputFieldsDeclarer): void {
    d.declare(['word', 'count']);
  }
  execute(t: Tuple, c: BasicOutputCollector): void {
    const w = t.getString(0);
    const n = (this.counts.get(w) ?? 0) + 1;
    this.counts.set(w, n);
    c.emit([w, n]);
  }
}

function wordCount() {
  const b = new TopologyBuilder();
  b.setSpout('sentences', Endless);
  b.setBolt('split', Split, 2).shuffleGrouping('sentences');
  b.setBolt('count', Count, 2).fieldsGrouping('split', ['word']);
  return b.build('wc');
}

describe('completeTopology', () => {
  it('replaces a spout with mocked tuples and returns every component\'s emits per stream', async () => {
    const r = await completeTopology(wordCount(), {
      mockedSources: { sentences: [['a b'], ['b'], ['fail me']] },
      config: { ackers: 1 },
    });
    // 'fail me' failed and mocked tuples are not replayed: a tree never completed.
    expect(r.summary.status).toBe('completed-with-failures');
    expect(r.summary.spouts['sentences']).toMatchObject({ failed: 1, dropped: 1 });
    expect(r.emitted['sentences']!['default']).toEqual([['a b'], ['b'], ['fail me']]);
    expect(r.emitted['split']!['default']!.sort()).toEqual([['a'], ['b'], ['b']]);
    expect(r.emitted['split']!['lengths']!.sort()).toEqual([[1], [3]]);
    expect(r.emitted['count']!['default']!.map((v) => v.join(':')).sort()).toEqual(['a:1', 'b:1', 'b:2']);
    expect(r.acked.map((m) => m.index).sort()).toEqual([0, 1]);
    expect(r.failed).toEqual([{ spout: 'sentences', index: 2, values: ['fail me'] }]);
    expect(r.summary.bolts['split']!.errors).toBe(1);
  });

  it('works with acking off: mocked tuples are acked at emit', async () => {
    const r = await completeTopology(wordCount(), { mockedSources: { sentences: [['x y']] }, config: { ackers: 0 } });
    expect(r.acked.map((m) => m.index)).toEqual([0]);
    expect(r.emitted['count']!['default']!.length).toBe(2);
    expect(r.summary.completeLatencyMs).toBeNull();
  });

  it('rejects a mocked tuple of the wrong size, and an unknown spout', async () => {
    await expect(completeTopology(wordCount(), { mockedSources: { sentences: [['a', 'b']] } }))
      .rejects.toThrow(/mocked tuple 0 of 'sentences' must have 1 value\(s\) \(sentence\)/);
    await expect(completeTopology(wordCount(), { mockedSources: { split: [['a']] } }))
      .rejects.toThrow(/'split', which is not a spout/);
  });

  it('under simulated time, a tree that is never acked fails at once in real time, after messageTimeoutMs of simulated time', async () => {
    const b = new TopologyBuilder();
    b.setSpout('sentences', Endless);
    b.setBolt('hold', () => ({
      declareOutputFields() {},
      prepare() {},
      execute() {}, // never acks
    })).shuffleGrouping('sentences');
    const time = new SimulatedTime();
    const r = await completeTopology(b.build('never-acks'), { mockedSources: { sentences: [['a'], ['b']] }, clock: time, timeoutMs: 5000 });
    expect(r.failed.map((m) => m.index).sort()).toEqual([0, 1]);
    expect(r.acked).toEqual([]);
    expect(r.summary.spouts['sentences']).toMatchObject({ failed: 2 });
    expect(time.now()).toBeGreaterThanOrEqual(30_000);
  });

  it('gives up after timeoutMs when an unmocked spout never ends', async () => {
    await expect(completeTopology(wordCount(), { timeoutMs: 200, config: { messageTimeoutMs: 200 } }))
      .rejects.toThrow(/did not complete within 200 ms.*unmocked spouts must become exhausted: sentences/);
  });
});
