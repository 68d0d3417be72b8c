import { describe, expect, it } from 'vitest';
import { validatePlan } from '../../src/topology/validate.js';
import { bolt, plan, shuffle, spout, stream } from '../fixtures/topology/plans.js';

const words = spout('words', [stream('default', ['word', 'n']), stream('ctl', ['cmd'], true)]);

describe('validatePlan', () => {
  it('accepts a valid plan, including a spout nobody subscribes to', () => {
    expect(validatePlan(plan([words, spout('idle'), bolt('b', [shuffle('words')])]))).toEqual([]);
  });

  it('reports a plan without spouts', () => {
    expect(validatePlan(plan([]))).toEqual(['topology has no spout']);
  });

  it('reports duplicate, empty and reserved ids', () => {
    const errors = validatePlan(plan([words, spout('words'), spout(''), spout('__mine')]));
    expect(errors).toContain("duplicate component id 'words'");
    expect(errors).toContain('a spout has an empty component id');
    expect(errors).toContain("component id '__mine' is reserved: ids starting with '__' belong to system components");
  });

  it('reports an unknown source component, listing the known ones', () => {
    expect(validatePlan(plan([words, bolt('b', [shuffle('wrods')])]))).toEqual([
      "bolt 'b' subscribes to unknown component 'wrods' (components: words, b)",
    ]);
  });

  it('reports an unknown stream of a known component, listing its streams', () => {
    expect(validatePlan(plan([words, bolt('b', [shuffle('words', 'nope')])]))).toEqual([
      "bolt 'b' subscribes to stream 'nope' of 'words', which declares no such stream (streams: default, ctl)",
    ]);
  });

  it('reports a fields or partialKey grouping on an undeclared field, naming the declared ones', () => {
    const errors = validatePlan(
      plan([
        words,
        bolt('f', [{ component: 'words', stream: 'default', grouping: { type: 'fields', fields: ['word', 'wrd'] } }]),
        bolt('p', [{ component: 'words', stream: 'default', grouping: { type: 'partialKey', fields: ['size'] } }]),
      ]),
    );
    expect(errors).toEqual([
      "bolt 'f': fields grouping on 'words' stream 'default' uses field 'wrd', which the stream does not declare (fields: word, n)",
      "bolt 'p': partialKey grouping on 'words' stream 'default' uses field 'size', which the stream does not declare (fields: word, n)",
    ]);
  });

  it('reports a fields grouping with no fields', () => {
    const errors = validatePlan(plan([words, bolt('f', [{ component: 'words', stream: 'default', grouping: { type: 'fields', fields: [] } }])]));
    expect(errors).toEqual(["bolt 'f': fields grouping on 'words' stream 'default' has an empty fields list"]);
  });

  it('reports direct grouping on a non-direct stream and other groupings on a direct stream', () => {
    const errors = validatePlan(
      plan([
        words,
        bolt('d', [{ component: 'words', stream: 'default', grouping: { type: 'direct' } }]),
        bolt('s', [shuffle('words', 'ctl')]),
      ]),
    );
    expect(errors).toEqual([
      "bolt 'd': direct grouping on 'words' stream 'default', but the stream is not declared direct",
      "bolt 's': shuffle grouping on 'words' stream 'ctl', but the stream is direct: only directGrouping may subscribe",
    ]);
  });

  it('reports a parallelism that is not a positive integer, showing the value', () => {
    const errors = validatePlan(plan([spout('a', undefined, { parallelism: 0 }), spout('b', undefined, { parallelism: 1.5 }), spout('c', undefined, { parallelism: '2' as unknown as number })]));
    expect(errors).toEqual([
      "component 'a': parallelism must be a positive integer, got 0",
      "component 'b': parallelism must be a positive integer, got 1.5",
      `component 'c': parallelism must be a positive integer, got "2"`,
    ]);
  });

  it('reports a bolt without inputs and a subscription made twice', () => {
    const errors = validatePlan(plan([words, bolt('lonely', []), bolt('twice', [shuffle('words'), shuffle('words')])]));
    expect(errors).toEqual([
      "bolt 'lonely' has no inputs: subscribe it to a component (e.g. shuffleGrouping)",
      "bolt 'twice' subscribes twice to 'words' stream 'default'",
    ]);
  });

  it('reports each cycle with the components on it', () => {
    const errors = validatePlan(
      plan([words, bolt('a', [shuffle('words'), shuffle('c')]), bolt('b', [shuffle('a')]), bolt('c', [shuffle('b')]), bolt('self', [shuffle('words'), shuffle('self')])]),
    );
    expect(errors).toEqual(['cycle: a -> b -> c -> a', 'cycle: self -> self']);
  });

  it('reports many problems together, in one list', () => {
    const errors = validatePlan(plan([bolt('x', [shuffle('ghost')], undefined, { parallelism: -1 })], { workers: 0 }));
    expect(errors).toEqual([
      'topology has no spout',
      "component 'x': parallelism must be a positive integer, got -1",
      "bolt 'x' subscribes to unknown component 'ghost' (components: x)",
      "config 'workers' must be a positive integer, got 0",
    ]);
  });
});
