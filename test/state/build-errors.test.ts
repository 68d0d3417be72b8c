import { describe, expect, it } from 'vitest';
import { BaseBasicBolt, BaseSpout, BaseStatefulBolt, TopologyBuilder, stateful, type OutputFieldsDeclarer } from '../../src/index.js';
import { physicalPlan } from '../../src/runtime/physical-plan.js';

class Ids extends BaseSpout {
  declareOutputFields(d: OutputFieldsDeclarer): void {
    d.declare(['key', 'id']);
  }
  open(): void {}
  nextTuple(): void {}
}
class Count extends BaseStatefulBolt {
  override declareOutputFields(d: OutputFieldsDeclarer): void {
    d.declare(['key', 'count']);
  }
  initState(): void {}
  execute(): void {}
}
class Sink extends BaseBasicBolt {
  execute(): void {}
}

const buildWith = (options: Parameters<typeof stateful>[1], config: Record<string, unknown> = {}) => {
  const b = new TopologyBuilder();
  b.setSpout('ids', Ids);
  b.setBolt('count', stateful(Count, options), 2).fieldsGrouping('ids', ['key']);
  b.setBolt('sink', Sink).shuffleGrouping('count');
  return b.build('t', config);
};

describe('stateful bolts at build', () => {
  it('refuses a message timeout shorter than twice the checkpoint interval (Storm: interval below the timeout)', () => {
    expect(() => buildWith({ checkpointIntervalMs: 2000 }, { messageTimeoutMs: 3000 })).toThrow(
      "bolt 'count': messageTimeoutMs (3000 ms) must be at least twice the checkpoint interval (2000 ms)",
    );
    expect(() => buildWith({ checkpointIntervalMs: 1500 }, { messageTimeoutMs: 3000 })).not.toThrow();
    expect(() => buildWith({ checkpointIntervalMs: 2000 }, { messageTimeoutMs: 3000, enableMessageTimeouts: false })).not.toThrow();
  });

  it('checks it again at run time with the merged config', () => {
    const topology = buildWith({ checkpointIntervalMs: 1000 });
    expect(() => physicalPlan(topology, { config: { messageTimeoutMs: 1500 } })).toThrow(/bolt 'count': messageTimeoutMs \(1500 ms\) must be at least twice/);
  });

  it('sets the bolt ticks to the interval, and judges setTickFrequency over it', () => {
    const b = new TopologyBuilder();
    b.setSpout('ids', Ids);
    b.setBolt('count', stateful(Count, { checkpointIntervalMs: 250 })).shuffleGrouping('ids').setTickFrequency(20_000);
    expect(() => b.build('t')).toThrow(/checkpoint interval \(20000 ms\)/);
    expect(buildWith({ checkpointIntervalMs: 250 }).plan.components.find((c) => c.id === 'count')!.config['tickFrequencyMs']).toBe(250);
  });

  it('names every bad option and an idField the input does not declare', () => {
    let message = '';
    try {
      buildWith({ checkpointIntervalMs: -1, checkpointEveryInputs: 1.5, namespace: '', idField: 'eventId', dedupeRetentionMs: 0 });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain("bolt 'count': checkpointIntervalMs must be a positive number of ms, got -1");
    expect(message).toContain("bolt 'count': checkpointEveryInputs must be a positive integer, got 1.5");
    expect(message).toContain("bolt 'count': state namespace must be a non-empty string, got \"\"");
    expect(message).toContain("bolt 'count': dedupeRetentionMs must be a positive number of ms, got 0");
    expect(message).toContain("bolt 'count': state idField 'eventId' is not declared by 'ids' stream 'default' (fields: key, id)");
    expect(() => buildWith({ idField: 'id' })).not.toThrow();
  });
});
