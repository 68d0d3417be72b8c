import { describe, expect, it } from 'vitest';
import { TopologyBuilder } from '../../src/topology/builder.js';
import { describePlan, planToJSON } from '../../src/topology/describe.js';
import { addSystemComponents } from '../../src/topology/system.js';
import { SentenceSpout } from '../fixtures/topology/sentence-spout.js';
import { SplitBolt } from '../fixtures/topology/split-bolt.js';
import { CountBolt } from '../fixtures/topology/count-bolt.js';

function wordCount() {
  const b = new TopologyBuilder();
  b.setSpout('sentences', SentenceSpout, 2);
  b.setBolt('split', SplitBolt, 2).shuffleGrouping('sentences');
  b.setBolt('count', CountBolt).fieldsGrouping('split', ['word', 'length']).setTickFrequency(500);
  return b.build('wc', { workers: 2 }).plan;
}

describe('describePlan', () => {
  it('lists components, streams and aligned edges', () => {
    const text = describePlan(wordCount());
    expect(text.split('\n')).toEqual([
      "topology 'wc': 3 components, 5 tasks",
      'config: workers=2',
      '',
      'components',
      '  sentences  spout         x2',
      '  split      bolt (basic)  x2',
      '  count      bolt          x1  tickFrequencyMs=500',
      '',
      'streams',
      '  sentences  default  [sentence]',
      '  sentences  control  [command]       direct',
      '  split      default  [word, length]',
      '  count      default  [word, count]',
      '  count      totals   [count]',
      '',
      'edges',
      '  sentences  --[shuffle on default]-->               split',
      '  split      --[fields(word, length) on default]-->  count',
    ]);
  });

  it('marks system components and shows direct edges of the rewrite', () => {
    const text = describePlan(addSystemComponents(wordCount(), { ackers: 1, messageTimeoutMs: 10, enableMessageTimeouts: false }));
    expect(text).toMatch(/__acker +bolt \(system\) +x1/);
    expect(text).toMatch(/__acker +--\[direct on __ack_ack\]--> +sentences/);
    expect(text).toMatch(/split +--\[ackerRoot on __ack_fail\]--> +__acker/);
  });

  it('shows the tasks of each worker when given an assignment', () => {
    const text = describePlan(wordCount(), {
      workers: 3,
      tasks: [
        { taskId: 3, componentId: 'split', worker: 0 },
        { taskId: 1, componentId: 'sentences', worker: 0 },
        { taskId: 2, componentId: 'sentences', worker: 1 },
        { taskId: 4, componentId: 'split', worker: 1 },
        { taskId: 5, componentId: 'count', worker: 0 },
      ],
    });
    expect(text.split('\n').slice(-4)).toEqual([
      'workers: 3',
      '  worker 0:  sentences[1] split[3] count[5]',
      '  worker 1:  sentences[2] split[4]',
      '  worker 2:  (idle)',
    ]);
  });
});

describe('planToJSON', () => {
  it('round-trips the plan through JSON.parse', () => {
    const plan = wordCount();
    expect(JSON.parse(planToJSON(plan))).toEqual(plan);
    expect(planToJSON(plan)).toContain('"tickFrequencyMs": 500');
  });
});
