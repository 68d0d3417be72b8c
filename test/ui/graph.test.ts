/**
 * The DAG the topology page draws: longest-path levels left to right, no two boxes overlap,
 * every user edge labelled by grouping and stream, the acker left out.
 */
import { describe, expect, it } from 'vitest';
import { addSystemComponents } from '../../src/topology/system.js';
import { layoutGraph } from '../../src/ui/graph.js';
import { bolt, plan, shuffle, spout, stream } from '../fixtures/topology/plans.js';

const dag = addSystemComponents(plan([
  spout('s', [stream('default', ['x']), stream('side', ['x'])]),
  bolt('a', [shuffle('s')]),
  bolt('b', [{ component: 's', stream: 'side', grouping: { type: 'fields', fields: ['x'] } }]),
  // Fed by a level-1 bolt and, directly, by the spout: longest path puts it at level 2.
  bolt('c', [shuffle('a'), { component: 's', stream: 'default', grouping: { type: 'global' } }], undefined, { parallelism: 3 }),
]), { ackers: 2, messageTimeoutMs: 1000, enableMessageTimeouts: true });

describe('layoutGraph', () => {
  const g = layoutGraph(dag);

  it('places components by longest path from a spout, the acker left out', () => {
    expect(g.nodes.map((n) => [n.id, n.level])).toEqual([['s', 0], ['a', 1], ['b', 1], ['c', 2]]);
    expect(g.nodes.find((n) => n.id === 'c')).toMatchObject({ kind: 'bolt', parallelism: 3 });
  });

  it('labels every user edge with its grouping and stream', () => {
    expect(g.edges).toEqual([
      { from: 's', to: 'a', stream: 'default', grouping: 'shuffle' },
      { from: 's', to: 'b', stream: 'side', grouping: 'fields(x)' },
      { from: 'a', to: 'c', stream: 'default', grouping: 'shuffle' },
      { from: 's', to: 'c', stream: 'default', grouping: 'global' },
    ]);
  });

  it('keeps every box inside the drawing and apart from the others', () => {
    const box = (n: (typeof g.nodes)[number]) => ({ l: n.x - g.nodeWidth / 2, r: n.x + g.nodeWidth / 2, t: n.y - g.nodeHeight / 2, b: n.y + g.nodeHeight / 2 });
    for (const n of g.nodes) {
      const b = box(n);
      expect(b.l).toBeGreaterThanOrEqual(0);
      expect(b.t).toBeGreaterThanOrEqual(0);
      expect(b.r).toBeLessThanOrEqual(g.width);
      expect(b.b).toBeLessThanOrEqual(g.height);
      for (const m of g.nodes) {
        if (m === n) continue;
        const o = box(m);
        expect(b.r <= o.l || o.r <= b.l || b.b <= o.t || o.b <= b.t, `${n.id} overlaps ${m.id}`).toBe(true);
      }
    }
    // Left to right by level.
    expect(g.nodes.find((n) => n.id === 's')!.x).toBeLessThan(g.nodes.find((n) => n.id === 'a')!.x);
  });
});
