import { describe, expect, it } from 'vitest';
import { addSystemComponents, topologicalLevels, topologicalOrder } from '../../src/topology/system.js';
import { bolt, plan, shuffle, spout } from '../fixtures/topology/plans.js';

// Declared out of order on purpose: "sum" is declared before what feeds it.
const diamond = plan([
  spout('s'),
  bolt('sum', [shuffle('left'), shuffle('right')]),
  bolt('right', [shuffle('split')]),
  bolt('left', [shuffle('split')]),
  bolt('split', [shuffle('s')]),
  spout('t'),
  bolt('side', [shuffle('t')]),
]);

describe('topologicalOrder', () => {
  it('puts every bolt after all of its upstream bolts, spouts left out', () => {
    expect(topologicalOrder(diamond)).toEqual(['split', 'side', 'right', 'left', 'sum']);
  });

  it('groups components in levels, keeping declaration order inside a level', () => {
    expect(topologicalLevels(diamond)).toEqual([['s', 't'], ['split', 'side'], ['right', 'left'], ['sum']]);
  });

  it('ignores the acker and its edges after the system rewrite', () => {
    const rewritten = addSystemComponents(diamond, { ackers: 2, messageTimeoutMs: 1000, enableMessageTimeouts: true });
    expect(topologicalOrder(rewritten)).toEqual(['split', 'side', 'right', 'left', 'sum']);
  });

  it('throws on a cycle, naming the components involved', () => {
    const cyclic = plan([spout('s'), bolt('a', [shuffle('s'), shuffle('b')]), bolt('b', [shuffle('a')])]);
    expect(() => topologicalOrder(cyclic)).toThrow("plan 'test' has a cycle among: a, b");
  });
});
