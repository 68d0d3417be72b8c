import { describe, expect, it } from 'vitest';
import { BaseBasicBolt, BaseSpout, TopologyBuilder, runTopology, type BasicOutputCollector, type OutputFieldsDeclarer, type SpoutOutputCollector, type Tuple } from '../../src/index.js';
import { runBolt } from '../../src/testing/index.js';

/** Emits whatever its input asks for: an emit of the wrong size, a function value, an undeclared stream. */
class BadEmitter extends BaseBasicBolt {
  override declareOutputFields(d: OutputFieldsDeclarer): void {
    d.declare(['a', 'b']);
    d.declareStream('side', ['x']);
  }
  execute(t: Tuple, c: BasicOutputCollector): void {
    switch (t.getString(0)) {
      case 'short': return c.emit([1]);
      case 'long-side': return c.emit([1, 2, 3], 'side');
      case 'function': return c.emit([1, () => 2]);
      case 'nested': return c.emit([1, { deep: [new Map()] }]);
      case 'undeclared': return c.emit([1], 'nope');
      default: return c.emit([1, 2]);
    }
  }
}

class BadSpout extends BaseSpout {
  private c!: SpoutOutputCollector;
  private done = false;
  declareOutputFields(d: OutputFieldsDeclarer): void {
    d.declare(['word']);
  }
  open(_conf: unknown, _ctx: unknown, c: SpoutOutputCollector): void {
    this.c = c;
  }
  nextTuple(): void {
    if (this.done) return;
    this.done = true;
    this.c.emit(['a', 'b'], 1);
  }
  override isExhausted(): boolean {
    return this.done;
  }
}

describe('emit errors', () => {
  it('name the component, the stream, and the field count or field at fault; nothing is emitted and the input fails', async () => {
    const r = await runBolt(BadEmitter, ['short', 'long-side', 'function', 'nested', 'undeclared', 'ok'].map((v) => ({ values: [v] })));
    expect(r.errors.map((e) => [e.input, e.message])).toEqual([
      [0, "component 'bolt' emitted 1 value(s) on stream 'default', which declares 2 field(s) (a, b)"],
      [1, "component 'bolt' emitted 3 value(s) on stream 'side', which declares 1 field(s) (x)"],
      [2, "component 'bolt', stream 'default', field 'b': value is a function"],
      [3, "component 'bolt', stream 'default', field 'b': value at .deep[0] is a Map (it would arrive as a plain object; use an object or entries array)"],
      [4, "component 'bolt' emitted on undeclared stream 'nope' (declared: default, side)"],
    ]);
    expect(r.failed).toEqual([0, 1, 2, 3, 4]);
    expect(r.acked).toEqual([5]);
    expect(r.emitted).toEqual([{ stream: 'default', values: [1, 2], anchors: [5] }]);
  });

  it('a spout emit of the wrong size is reported against the spout and the run still completes', async () => {
    const b = new TopologyBuilder();
    b.setSpout('bad', BadSpout);
    b.setBolt('sink', class extends BaseBasicBolt { execute(): void {} }).shuffleGrouping('bad');
    const handle = await runTopology(b.build('bad-spout'));
    const summary = await handle.completion;
    expect(summary.status).toBe('completed');
    expect(summary.spouts['bad']).toMatchObject({ emitted: 0, errors: 1 });
    expect(summary.lastErrors['bad']).toBe("Error: component 'bad' emitted 2 value(s) on stream 'default', which declares 1 field(s) (word)");
  });
});
