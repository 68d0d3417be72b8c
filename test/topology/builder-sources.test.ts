import { describe, expect, it } from 'vitest';
import type { Bolt, Spout } from '../../src/api/components.js';
import { TopologyBuilder } from '../../src/topology/builder.js';
import { TopologyValidationError } from '../../src/topology/errors.js';
import { SentenceSpout } from '../fixtures/topology/sentence-spout.js';
import { SplitBolt } from '../fixtures/topology/split-bolt.js';
import { CountBolt } from '../fixtures/topology/count-bolt.js';
import { numberSpout, sinkBolt } from '../fixtures/topology/factories.js';

function buildErrors(b: TopologyBuilder): string[] {
  try {
    b.build('t');
  } catch (err) {
    expect(err).toBeInstanceOf(TopologyValidationError);
    return (err as TopologyValidationError).errors;
  }
  throw new Error('build did not throw');
}

describe('component sources', () => {
  it('accepts classes and factories and creates a fresh instance per call', () => {
    const b = new TopologyBuilder();
    b.setSpout('numbers', numberSpout);
    b.setBolt('split', SplitBolt).shuffleGrouping('numbers');
    b.setBolt('sink', sinkBolt).shuffleGrouping('split');
    const topo = b.build('t');
    const one = topo.create('split');
    const two = topo.create('split');
    expect(one).toBeInstanceOf(SplitBolt);
    expect(one).not.toBe(two);
    const s1 = topo.create('numbers') as Spout;
    expect(typeof s1.nextTuple).toBe('function');
    expect(s1).not.toBe(topo.create('numbers'));
    expect(topo.plan.components[0]!.streams['default']!.fields).toEqual(['n']);
  });

  it('names the known components when create is given an unknown id', () => {
    const b = new TopologyBuilder();
    b.setSpout('numbers', numberSpout);
    expect(() => b.build('t').create('nope')).toThrow(/no component 'nope'.*numbers/);
  });

  it('instantiates each component exactly once during build', () => {
    let made = 0;
    const b = new TopologyBuilder();
    b.setSpout('numbers', () => (made++, numberSpout()));
    b.build('t');
    expect(made).toBe(1);
  });

  it('rejects an instance at once, telling to pass a class or a factory', () => {
    const b = new TopologyBuilder();
    const instance = new SentenceSpout() as unknown as () => Spout;
    expect(() => b.setSpout('s', instance)).toThrow(TopologyValidationError);
    expect(() => b.setSpout('s', instance)).toThrow(/component 's' given to setSpout is object.*class or a factory/);
  });

  it('reports a non-bolt given to setBolt and a non-spout given to setSpout', () => {
    const b = new TopologyBuilder();
    b.setSpout('s', CountBolt as unknown as () => Spout);
    b.setBolt('x', SentenceSpout as unknown as () => Bolt).shuffleGrouping('s');
    const errors = buildErrors(b);
    expect(errors).toContain("component 's' given to setSpout is not a spout (no nextTuple method)");
    expect(errors).toContain("component 'x' given to setBolt is not a bolt (no execute method)");
  });

  it('reports a constructor or declareOutputFields that throws, with its message', () => {
    const b = new TopologyBuilder();
    b.setSpout('s', () => {
      throw new Error('boom in ctor');
    });
    b.setBolt('x', () => ({ declareOutputFields() { throw new Error('boom in declare'); }, execute() {} }));
    const errors = buildErrors(b).join('\n');
    expect(errors).toContain("component 's': creating an instance failed: boom in ctor");
    expect(errors).toContain("component 'x': declareOutputFields threw: boom in declare");
  });

  it('tells basic from rich bolts: marker first, then "no prepare" means basic', () => {
    const b = new TopologyBuilder();
    b.setSpout('s', numberSpout);
    b.setBolt('marked', SplitBolt).shuffleGrouping('s');
    b.setBolt('rich', CountBolt).shuffleGrouping('s');
    b.setBolt('sink', sinkBolt).shuffleGrouping('s');
    b.setBolt('optOut', () => ({ isBasicBolt: false, declareOutputFields() {}, execute(_t: unknown, _c: unknown) {} }) as unknown as Bolt)
      .shuffleGrouping('s');
    b.setBolt('richArity2', () => ({ declareOutputFields() {}, prepare() {}, execute(_t: unknown, _c: unknown) {} }) as unknown as Bolt)
      .shuffleGrouping('s');
    const basic = Object.fromEntries(b.build('t').plan.components.map((c) => [c.id, c.basic]));
    expect(basic).toEqual({ s: false, marked: true, rich: false, sink: true, optOut: false, richArity2: false });
  });

  it('reports bad stream declarations: reserved id, declared twice, repeated field', () => {
    const b = new TopologyBuilder();
    b.setSpout('s', () => ({
      declareOutputFields(d) {
        d.declare(['a', 'a']);
        d.declareStream('__mine', ['x']);
        d.declareStream('other', ['x']);
        d.declareStream('other', ['y']);
      },
      open() {},
      nextTuple() {},
    }));
    const errors = buildErrors(b).join('\n');
    expect(errors).toContain("component 's' stream 'default' declares a field twice (fields: a, a)");
    expect(errors).toContain("component 's' stream '__mine': stream ids starting with '__' are reserved");
    expect(errors).toContain("component 's' stream 'other' is declared twice");
  });
});
