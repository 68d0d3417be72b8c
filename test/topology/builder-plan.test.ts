import { describe, expect, it } from 'vitest';
import { TopologyBuilder } from '../../src/topology/builder.js';
import { isTopology } from '../../src/topology/topology.js';
import { SentenceSpout } from '../fixtures/topology/sentence-spout.js';
import { SplitBolt } from '../fixtures/topology/split-bolt.js';
import { CountBolt } from '../fixtures/topology/count-bolt.js';

function wordCount(): TopologyBuilder {
  const b = new TopologyBuilder();
  b.setSpout('sentences', SentenceSpout, 2).addConfiguration('rate', 10);
  b.setBolt('split', SplitBolt, 4).shuffleGrouping('sentences');
  b.setBolt('count', CountBolt, 3)
    .fieldsGrouping('split', ['word'])
    .directGrouping('sentences', 'control')
    .setTickFrequency(1000);
  b.setBolt('report', CountBolt).globalGrouping('count', 'totals').allGrouping('split').addConfigurations({ a: 1, b: [2] });
  return b;
}

describe('TopologyBuilder.build on a valid topology', () => {
  it('produces a topology marker, name and config', () => {
    const topo = wordCount().build('wc', { workers: 2 });
    expect(isTopology(topo)).toBe(true);
    expect(topo.kind).toBe('topo.topology');
    expect(topo.name).toBe('wc');
    expect(topo.plan.name).toBe('wc');
    expect(topo.plan.config).toEqual({ workers: 2 });
    expect(topo.plan.components.map((c) => [c.id, c.kind, c.parallelism, c.basic, c.system])).toEqual([
      ['sentences', 'spout', 2, false, false],
      ['split', 'bolt', 4, true, false],
      ['count', 'bolt', 3, false, false],
      ['report', 'bolt', 1, false, false],
    ]);
  });

  it('records declared streams in order, with fields and direct flag', () => {
    const [sentences, , count] = wordCount().build('wc').plan.components;
    expect(Object.keys(sentences!.streams)).toEqual(['default', 'control']);
    expect(sentences!.streams['control']).toEqual({ id: 'control', fields: ['command'], direct: true });
    expect(count!.streams['default']).toEqual({ id: 'default', fields: ['word', 'count'], direct: false });
  });

  it('records every input with its grouping, stream defaulting to "default"', () => {
    const c = wordCount().build('wc').plan.components;
    expect(c[0]!.inputs).toEqual([]);
    expect(c[1]!.inputs).toEqual([{ component: 'sentences', stream: 'default', grouping: { type: 'shuffle' } }]);
    expect(c[2]!.inputs).toEqual([
      { component: 'split', stream: 'default', grouping: { type: 'fields', fields: ['word'] } },
      { component: 'sentences', stream: 'control', grouping: { type: 'direct' } },
    ]);
    expect(c[3]!.inputs.map((i) => [i.component, i.stream, i.grouping.type])).toEqual([
      ['count', 'totals', 'global'],
      ['split', 'default', 'all'],
    ]);
  });

  it('keeps per-component config, tick frequency included', () => {
    const c = wordCount().build('wc').plan.components;
    expect(c[0]!.config).toEqual({ rate: 10 });
    expect(c[2]!.config).toEqual({ tickFrequencyMs: 1000 });
    expect(c[3]!.config).toEqual({ a: 1, b: [2] });
  });

  it('records the other grouping kinds', () => {
    const b = new TopologyBuilder();
    b.setSpout('s', SentenceSpout);
    b.setBolt('x', SplitBolt).localOrShuffleGrouping('s');
    b.setBolt('y', SplitBolt).partialKeyGrouping('x', ['word', 'length']);
    const [, x, y] = b.build('t').plan.components;
    expect(x!.inputs[0]!.grouping).toEqual({ type: 'localOrShuffle' });
    expect(y!.inputs[0]!.grouping).toEqual({ type: 'partialKey', fields: ['word', 'length'] });
  });

  it('is plain data: survives JSON and structuredClone unchanged', () => {
    const plan = wordCount().build('wc', { workers: 2, nested: { deep: [1] } }).plan;
    expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
    expect(structuredClone(plan)).toEqual(plan);
  });

  it('freezes the plan deeply', () => {
    const plan = wordCount().build('wc').plan;
    expect(Object.isFrozen(plan)).toBe(true);
    expect(Object.isFrozen(plan.components[2]!.inputs[0]!.grouping)).toBe(true);
    expect(Object.isFrozen(plan.components[0]!.streams['default']!.fields)).toBe(true);
    expect(() => (plan.components as unknown[]).push(1)).toThrow(TypeError);
  });

  it('is not changed by later use of the builder or of the inputs passed in', () => {
    const b = new TopologyBuilder();
    const fields = ['word'];
    const config = { workers: 1 };
    b.setSpout('s', SentenceSpout);
    const split = b.setBolt('split', SplitBolt).shuffleGrouping('s');
    b.setBolt('count', CountBolt).fieldsGrouping('split', fields);
    const plan = b.build('t', config).plan;
    fields.push('length');
    config.workers = 5;
    split.allGrouping('s', 'other').addConfiguration('late', true);
    b.setBolt('later', SplitBolt).shuffleGrouping('s');
    expect(plan.components).toHaveLength(3);
    expect(plan.components[1]!.inputs).toHaveLength(1);
    expect(plan.components[1]!.config).toEqual({});
    expect(plan.components[2]!.inputs[0]!.grouping).toEqual({ type: 'fields', fields: ['word'] });
    expect(plan.config).toEqual({ workers: 1 });
  });
});

describe('TopologyBuilder.build and the caller\'s objects', () => {
  it('copies config values instead of freezing the caller\'s objects', () => {
    const shared = { hosts: ['a'] };
    const b = new TopologyBuilder();
    b.setSpout('s', SentenceSpout).addConfiguration('redis', shared);
    const plan = b.build('t', { redis: shared }).plan;
    expect(Object.isFrozen(shared)).toBe(false);
    shared.hosts.push('b');
    expect(plan.config).toEqual({ redis: { hosts: ['a'] } });
    expect(plan.components[0]!.config).toEqual({ redis: { hosts: ['a'] } });
  });
});
