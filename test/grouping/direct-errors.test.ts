import { describe, expect, it } from 'vitest';
import { BaseBasicBolt, BaseSpout, TopologyBuilder, type BasicOutputCollector, type OutputFieldsDeclarer, type SpoutOutputCollector, type Tuple } from '../../src/index.js';
import { completeTopology, runBolt } from '../../src/testing/index.js';

/** Emits each input directly to the task id it names, on the stream it names. */
class Director extends BaseBasicBolt {
  override declareOutputFields(d: OutputFieldsDeclarer): void {
    d.declare(['x']);
    d.declareStream('d', ['x'], true);
  }
  execute(t: Tuple, c: BasicOutputCollector): void {
    const stream = t.getStringByField('stream');
    const task = t.getNumberByField('task');
    if (task < 0) c.emit([1], stream);
    else c.emitDirect(task, [1], stream);
  }
}

class Quiet extends BaseSpout {
  declareOutputFields(d: OutputFieldsDeclarer): void {
    d.declare(['stream', 'task']);
  }
  open(_conf: unknown, _ctx: unknown, _c: SpoutOutputCollector): void {}
  nextTuple(): void {}
}

class Sink extends BaseBasicBolt {
  execute(): void {}
}

describe('direct grouping errors', () => {
  it('emitDirect on a stream that is not direct, and a plain emit on a direct stream, are errors naming both', async () => {
    const fields = ['stream', 'task'];
    const r = await runBolt(Director, [{ values: ['default', 1], fields }, { values: ['d', -1], fields }]);
    expect(r.failed).toEqual([0, 1]);
    expect(r.errors.map((e) => e.message)).toEqual([
      "component 'bolt': emitDirect on stream 'default', which is not declared direct",
      "component 'bolt': stream 'd' is direct; use emitDirect",
    ]);
    expect(r.emitted).toEqual([]);
  });

  it('emitDirect to a task that does not subscribe with directGrouping names the direct subscribers', async () => {
    const b = new TopologyBuilder();
    b.setSpout('in', Quiet);
    b.setBolt('director', Director).shuffleGrouping('in');
    b.setBolt('direct', Sink, 2).directGrouping('director', 'd');
    b.setBolt('plain', Sink, 2).shuffleGrouping('director');
    const topology = b.build('direct-errors');
    // Task ids: in=1, director=2, direct=3,4, plain=5,6 (in declaration order).
    const r = await completeTopology(topology, { mockedSources: { in: [['d', 5], ['d', 3]] } });
    expect(r.failed.map((m) => m.index)).toEqual([0]);
    expect(r.acked.map((m) => m.index)).toEqual([1]);
    expect(r.emitted['director']!['d']).toEqual([[1]]);
    expect(r.summary.bolts['director']!.errors).toBe(1);
    expect(r.summary.lastErrors['director']).toBe(
      "Error: component 'director': emitDirect to task 5 on stream 'd', but that task does not subscribe to the stream " +
        'with directGrouping (direct subscribers: 3, 4)',
    );
    expect(r.summary.bolts['direct']!.executed).toBe(1);
  });
});
