/**
 * The DAG the topology page draws: longest-path levels left to right (or top to bottom), no
 * two boxes overlap, every user edge labelled by grouping and stream, the acker left out;
 * and with 15 components no label lies over another label or a box in either orientation
 * (a label with no free spot becomes the edge's tooltip instead).
 */
import { describe, expect, it } from 'vitest';
import { addSystemComponents } from '../../src/topology/system.js';
import { layoutGraph, type Graph } from '../../src/ui/graph.js';
import { labelWidth, LABEL_H } from '../../src/ui/graph-labels.js';
import { bolt, plan, shuffle, spout, stream } from '../fixtures/topology/plans.js';
import wide from './fixtures/wide.js';

const dag = addSystemComponents(plan([
  spout('s', [stream('default', ['x']), stream('side', ['x'])]),
  bolt('a', [shuffle('s')]),
  bolt('b', [{ component: 's', stream: 'side', grouping: { type: 'fields', fields: ['x'] } }]),
  // Fed by a level-1 bolt and, directly, by the spout: longest path puts it at level 2.
  bolt('c', [shuffle('a'), { component: 's', stream: 'default', grouping: { type: 'global' } }], undefined, { parallelism: 3 }),
]), { ackers: 2, messageTimeoutMs: 1000, enableMessageTimeouts: true });

interface Box { l: number; r: number; t: number; b: number }
const nodeBox = (g: Graph, n: Graph['nodes'][number]): Box => ({ l: n.x - g.nodeWidth / 2, r: n.x + g.nodeWidth / 2, t: n.y - g.nodeHeight / 2, b: n.y + g.nodeHeight / 2 });
const apart = (a: Box, b: Box): boolean => a.r <= b.l || b.r <= a.l || a.b <= b.t || b.b <= a.t;

function expectBoxesApartAndInside(g: Graph): void {
  for (const n of g.nodes) {
    const b = nodeBox(g, n);
    expect(b.l).toBeGreaterThanOrEqual(0);
    expect(b.t).toBeGreaterThanOrEqual(0);
    expect(b.r).toBeLessThanOrEqual(g.width);
    expect(b.b).toBeLessThanOrEqual(g.height);
    for (const m of g.nodes) if (m !== n) expect(apart(b, nodeBox(g, m)), `${n.id} overlaps ${m.id}`).toBe(true);
  }
}

describe('layoutGraph', () => {
  const g = layoutGraph(dag);

  it('places components by longest path from a spout, the acker left out', () => {
    expect(g.nodes.map((n) => [n.id, n.level])).toEqual([['s', 0], ['a', 1], ['b', 1], ['c', 2]]);
    expect(g.nodes.find((n) => n.id === 'c')).toMatchObject({ kind: 'bolt', parallelism: 3 });
  });

  it('labels every user edge with its grouping and stream (the default stream unnamed)', () => {
    expect(g.edges.map(({ from, to, stream, grouping, label }) => ({ from, to, stream, grouping, label }))).toEqual([
      { from: 's', to: 'a', stream: 'default', grouping: 'shuffle', label: 'shuffle' },
      { from: 's', to: 'b', stream: 'side', grouping: 'fields(x)', label: 'fields(x) · side' },
      { from: 'a', to: 'c', stream: 'default', grouping: 'shuffle', label: 'shuffle' },
      { from: 's', to: 'c', stream: 'default', grouping: 'global', label: 'global' },
    ]);
    for (const e of g.edges) expect(e.path).toMatch(/^M [\d.]+ [\d.]+ C /);
  });

  it('keeps every box inside the drawing and apart from the others, in both orientations', () => {
    expectBoxesApartAndInside(g);
    expect(g.nodes.find((n) => n.id === 's')!.x).toBeLessThan(g.nodes.find((n) => n.id === 'a')!.x);
    const v = layoutGraph(dag, 'tb');
    expectBoxesApartAndInside(v);
    expect(v.direction).toBe('tb');
    expect(v.nodes.find((n) => n.id === 's')!.y).toBeLessThan(v.nodes.find((n) => n.id === 'a')!.y);
  });

  for (const direction of ['lr', 'tb'] as const) {
    it(`15 components (${direction}): no edge label over another label or a box, most labels placed`, () => {
      const w = layoutGraph(wide.plan, direction);
      expect(w.nodes).toHaveLength(15);
      expectBoxesApartAndInside(w);
      const labels = w.edges.filter((e) => e.labelAt !== null).map((e) => {
        const half = labelWidth(e.label) / 2;
        return { e, box: { l: e.labelAt!.x - half, r: e.labelAt!.x + half, t: e.labelAt!.y - LABEL_H / 2, b: e.labelAt!.y + LABEL_H / 2 } };
      });
      for (const a of labels) {
        for (const n of w.nodes) expect(apart(a.box, nodeBox(w, n)), `label ${a.e.label} of ${a.e.from}>${a.e.to} over ${n.id}`).toBe(true);
        for (const b of labels) if (a !== b) expect(apart(a.box, b.box), `${a.e.from}>${a.e.to} over ${b.e.from}>${b.e.to}`).toBe(true);
      }
      expect(labels.length / w.edges.length).toBeGreaterThanOrEqual(0.8);
      // The vertical drawing fits an 800 px window's panel at full size.
      if (direction === 'tb') expect(w.width).toBeLessThanOrEqual(720);
    });
  }
});
