import { describe, expect, it } from 'vitest';
import { TopologyBuilder, BaseSpout, BaseBasicBolt, runTopology, type SpoutOutputCollector, type Config, type TopologyContext, type OutputFieldsDeclarer, type Tuple } from '../../src/index.js';

const N = 200;

class Numbers extends BaseSpout {
  private c!: SpoutOutputCollector;
  private n = 0;
  declareOutputFields(d: OutputFieldsDeclarer): void { d.declare(['n']); }
  open(_conf: Config, _ctx: TopologyContext, c: SpoutOutputCollector): void { this.c = c; }
  nextTuple(): void { if (this.n < N) this.c.emit([this.n++]); }
  override isExhausted(): boolean { return this.n >= N; }
}

const seen: number[] = [];
let finishedWith = -1;

class SlowAsync extends BaseBasicBolt {
  async execute(t: Tuple): Promise<void> {
    await new Promise((r) => setTimeout(r, 5 + (t.getValue(0) as number) % 20));
    seen.push(t.getValue(0) as number);
  }
  override finish(): void {
    finishedWith = seen.length;
  }
}

describe('async bolts', () => {
  it('with tracking off, a run ends only after every async execute settled, and finish sees them all', async () => {
    const b = new TopologyBuilder();
    b.setSpout('numbers', Numbers, 1);
    b.setBolt('slow', SlowAsync, 2).shuffleGrouping('numbers');
    const h = await runTopology(b.build('async-bolt', { ackers: 0 }));
    const s = await h.completion;
    expect(s.status).toBe('completed');
    expect(seen.length).toBe(N);
    expect(finishedWith).toBe(N);
    expect(s.completeLatencyMs).toBeNull();
  });
});
