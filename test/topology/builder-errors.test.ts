import { describe, expect, it } from 'vitest';
import { TopologyBuilder } from '../../src/topology/builder.js';
import { TopologyValidationError } from '../../src/topology/errors.js';
import { SentenceSpout } from '../fixtures/topology/sentence-spout.js';
import { SplitBolt } from '../fixtures/topology/split-bolt.js';

describe('build() with problems', () => {
  it('throws one TopologyValidationError listing every problem, one per line', () => {
    const b = new TopologyBuilder();
    b.setSpout('s', SentenceSpout);
    b.setSpout('s', SentenceSpout);
    b.setBolt('split', SplitBolt, 0).fieldsGrouping('s', ['word']).shuffleGrouping('s', 'control');
    b.setBolt('__x', SplitBolt).shuffleGrouping('split');
    let error: TopologyValidationError | undefined;
    try {
      b.build('broken', { maxSpoutPending: 0 }).create('s');
    } catch (err) {
      error = err as TopologyValidationError;
    }
    expect(error).toBeInstanceOf(TopologyValidationError);
    expect(error!.name).toBe('TopologyValidationError');
    expect(error!.errors).toEqual([
      "duplicate component id 's': setSpout called again with it",
      "component id '__x' is reserved: ids starting with '__' belong to system components",
      "component 'split': parallelism must be a positive integer, got 0",
      "bolt 'split': fields grouping on 's' stream 'default' uses field 'word', which the stream does not declare (fields: sentence)",
      "bolt 'split': shuffle grouping on 's' stream 'control', but the stream is direct: only directGrouping may subscribe",
      "config 'maxSpoutPending' must be a positive integer, got 0",
    ]);
    const lines = error!.message.split('\n');
    expect(lines[0]).toBe("topology 'broken' is invalid (6 problems):");
    expect(lines.slice(1)).toEqual(error!.errors.map((e) => `  - ${e}`));
  });

  it('reports an empty topology name', () => {
    const b = new TopologyBuilder();
    b.setSpout('s', SentenceSpout);
    expect(() => b.build('  ')).toThrow(/topology name must be a non-empty string/);
  });
});
