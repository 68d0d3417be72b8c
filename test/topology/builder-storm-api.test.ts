// The builder's side of the Storm API gaps: custom groupings in the plan and their build
// checks, a spout's own maxSpoutPending, and a component's own default configuration.
import { describe, expect, it } from 'vitest';
import { TopologyBuilder } from '../../src/topology/builder.js';
import { TopologyValidationError } from '../../src/topology/errors.js';
import type { CustomStreamGrouping } from '../../src/api/grouping.js';
import { SentenceSpout } from '../fixtures/topology/sentence-spout.js';
import { SplitBolt } from '../fixtures/topology/split-bolt.js';

class First implements CustomStreamGrouping {
  private t: readonly number[] = [];
  prepare(_c: unknown, targets: readonly number[]): void {
    this.t = targets;
  }
  chooseTasks(): number {
    return this.t[0]!;
  }
}

const problems = (f: () => unknown): string[] => {
  try {
    f();
  } catch (err) {
    if (err instanceof TopologyValidationError) return err.errors;
    throw err;
  }
  return [];
};

describe('TopologyBuilder: Storm API gaps', () => {
  it('records a custom grouping in the plan and builds a fresh instance of it per call', () => {
    const b = new TopologyBuilder();
    b.setSpout('s', SentenceSpout);
    b.setBolt('split', SplitBolt, 2).customGrouping('s', First);
    const topo = b.build('custom');
    const input = topo.plan.components.find((c) => c.id === 'split')!.inputs[0]!;
    expect(input.grouping.type).toBe('custom');
    const key = (input.grouping as { key: string }).key;
    const a = topo.createGrouping(key);
    expect(a).toBeInstanceOf(First);
    expect(topo.createGrouping(key)).not.toBe(a);
    expect(() => topo.createGrouping('nope')).toThrow(/has no custom grouping/);
  });

  it('names the bolt and the edge of a custom grouping that is not one', () => {
    const b = new TopologyBuilder();
    b.setSpout('s', SentenceSpout);
    b.setBolt('x', SplitBolt).customGrouping('s', () => ({}) as CustomStreamGrouping);
    b.setBolt('y', SplitBolt).customGrouping('s', new First() as unknown as () => CustomStreamGrouping);
    b.setBolt('z', SplitBolt).customGrouping('s', () => { throw new Error('no table'); });
    expect(problems(() => b.build('bad'))).toEqual([
      "bolt 'x': custom grouping on 's' stream 'default' has no chooseTasks method",
      "bolt 'y': custom grouping on 's' stream 'default' is object: pass a class or a factory function that returns a new instance",
      "bolt 'z': custom grouping on 's' stream 'default': creating an instance failed: no table",
    ]);
  });

  it('sets a spout\'s own maxSpoutPending, checked like the run\'s', () => {
    const b = new TopologyBuilder();
    b.setSpout('s', SentenceSpout).setMaxSpoutPending(7);
    b.setBolt('split', SplitBolt).shuffleGrouping('s');
    expect(b.build('msp').plan.components[0]!.config).toEqual({ maxSpoutPending: 7 });
    const bad = new TopologyBuilder();
    bad.setSpout('s', SentenceSpout).setMaxSpoutPending(0);
    bad.setBolt('split', SplitBolt).shuffleGrouping('s');
    expect(problems(() => bad.build('msp'))).toEqual(["component 's' config 'maxSpoutPending' must be a positive integer, got 0"]);
  });

  it('merges getComponentConfiguration under the declarer\'s settings, and names a bad one', () => {
    class Own extends SplitBolt {
      getComponentConfiguration() {
        return { tickFrequencyMs: 50, depth: 3 };
      }
    }
    const b = new TopologyBuilder();
    b.setSpout('s', SentenceSpout);
    b.setBolt('own', Own).shuffleGrouping('s').addConfiguration('depth', 4);
    expect(b.build('own').plan.components[1]!.config).toEqual({ tickFrequencyMs: 50, depth: 4 });
    class Bad extends SplitBolt {
      getComponentConfiguration() {
        return 5 as unknown as Record<string, unknown>;
      }
    }
    class Neg extends SplitBolt {
      getComponentConfiguration() {
        return { tickFrequencyMs: -1 };
      }
    }
    const c = new TopologyBuilder();
    c.setSpout('s', SentenceSpout);
    c.setBolt('bad', Bad).shuffleGrouping('s');
    c.setBolt('neg', Neg).shuffleGrouping('s');
    expect(problems(() => c.build('own'))).toEqual([
      "component 'bad': getComponentConfiguration() must return an object of settings, got number",
      "component 'neg' config 'tickFrequencyMs' must be a positive number, got -1",
    ]);
  });
});
