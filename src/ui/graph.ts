/**
 * The DAG the topology page draws: user components as nodes placed by level (longest path
 * from a spout: topologicalLevels), edges labelled by grouping and stream. Laid out here,
 * not in the browser, so the page stays a few lines of SVG and the layout is testable.
 * Two orientations: left to right (levels as columns) for wide screens, top to bottom for
 * narrow ones and long pipelines; the page takes the one that fits its panel and draws it at
 * full size (never scaled down into unreadable text). System components (the acker) and
 * their streams are left out, as Storm UI does by default.
 */
import type { Grouping, Plan } from '../topology/plan.js';
import { topologicalLevels } from '../topology/system.js';
import { curveBetween, labelWidth, pathOf, placeLabels, type Box } from './graph-labels.js';

export interface GraphNode {
  readonly id: string;
  readonly kind: 'spout' | 'bolt';
  readonly parallelism: number;
  /** Level (0 = spouts) and position within the level. */
  readonly level: number;
  readonly row: number;
  /** Centre of the node box in SVG units. */
  readonly x: number;
  readonly y: number;
}

export interface GraphEdge {
  readonly from: string;
  readonly to: string;
  readonly stream: string;
  /** e.g. `shuffle`, `fields(visitor)`. */
  readonly grouping: string;
  /** `grouping · stream` (the stream left out when it is `default`). */
  readonly label: string;
  /** SVG path of the curve. */
  readonly path: string;
  /** Centre of the label, or null when it fits nowhere free: the page shows it as the edge's tooltip. */
  readonly labelAt: { readonly x: number; readonly y: number } | null;
}

export interface Graph {
  readonly direction: 'lr' | 'tb';
  readonly width: number;
  readonly height: number;
  readonly nodeWidth: number;
  readonly nodeHeight: number;
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
}

/** Box size (four lines of text: name, kind, figures, trouble) and the gaps around boxes. */
const NODE_W = 150;
const NODE_H = 72;
const MARGIN = 12;

export function groupingLabel(g: Grouping): string {
  return g.type === 'fields' || g.type === 'partialKey' ? `${g.type}(${g.fields.join(',')})` : g.type;
}

interface Edge { from: string; to: string; stream: string; grouping: string; label: string }

export function layoutGraph(plan: Plan, direction: 'lr' | 'tb' = 'lr'): Graph {
  const levels = orderLevels(plan, topologicalLevels(plan));
  const byId = new Map(plan.components.map((c) => [c.id, c]));
  const shown = new Set(levels.flat());
  const raw: Edge[] = [];
  for (const c of plan.components) {
    if (!shown.has(c.id)) continue;
    for (const i of c.inputs) {
      if (!shown.has(i.component)) continue;
      const grouping = groupingLabel(i.grouping);
      raw.push({ from: i.component, to: c.id, stream: i.stream, grouping, label: i.stream === 'default' ? grouping : `${grouping} · ${i.stream}` });
    }
  }
  // Room between levels for a label: columns as wide as the longest label (within reason).
  const widest = Math.max(0, ...raw.map((e) => labelWidth(e.label)));
  const levelGap = direction === 'lr' ? Math.min(260, Math.max(120, widest + 24)) : 96;
  const siblingGap = direction === 'lr' ? 30 : 24;
  const across = Math.max(1, ...levels.map((l) => l.length));
  const step = direction === 'lr' ? NODE_H + siblingGap : NODE_W + siblingGap;
  const span = across * step - siblingGap;
  const depth = levels.length * ((direction === 'lr' ? NODE_W : NODE_H) + levelGap) - levelGap;
  const width = MARGIN * 2 + (direction === 'lr' ? depth : span);
  const height = MARGIN * 2 + (direction === 'lr' ? span : depth);

  const nodes: GraphNode[] = [];
  levels.forEach((level, li) => {
    // Centre each level across the drawing so a lone bolt sits level with the middle.
    const start = MARGIN + (span - (level.length * step - siblingGap)) / 2;
    const along = MARGIN + li * ((direction === 'lr' ? NODE_W : NODE_H) + levelGap) + (direction === 'lr' ? NODE_W : NODE_H) / 2;
    level.forEach((id, ri) => {
      const c = byId.get(id)!;
      const side = start + ri * step + (direction === 'lr' ? NODE_H : NODE_W) / 2;
      nodes.push({ id, kind: c.kind, parallelism: c.parallelism, level: li, row: ri, x: direction === 'lr' ? along : side, y: direction === 'lr' ? side : along });
    });
  });
  const at = new Map(nodes.map((n) => [n.id, n]));
  const curves = raw.map((e) => {
    const a = at.get(e.from)!, b = at.get(e.to)!;
    const from = direction === 'lr' ? { x: a.x + NODE_W / 2, y: a.y } : { x: a.x, y: a.y + NODE_H / 2 };
    const to = direction === 'lr' ? { x: b.x - NODE_W / 2, y: b.y } : { x: b.x, y: b.y - NODE_H / 2 };
    return { curve: curveBetween(from, to, direction), label: e.label };
  });
  const boxes: Box[] = nodes.map((n) => ({ l: n.x - NODE_W / 2, r: n.x + NODE_W / 2, t: n.y - NODE_H / 2, b: n.y + NODE_H / 2 }));
  const spots = placeLabels(curves, boxes, { l: 0, t: 0, r: width, b: height });
  const edges = raw.map((e, i) => ({ ...e, path: pathOf(curves[i]!.curve), labelAt: spots[i]! }));
  return { direction, width, height, nodeWidth: NODE_W, nodeHeight: NODE_H, nodes, edges };
}

/**
 * Order each level by the mean position of its inputs in the levels before (the barycentre
 * heuristic of layered drawings): fewer crossings, so edges and labels untangle.
 */
function orderLevels(plan: Plan, levels: readonly (readonly string[])[]): string[][] {
  const inputs = new Map(plan.components.map((c) => [c.id, c.inputs.map((i) => i.component)]));
  const pos = new Map<string, number>();
  return levels.map((level, li) => {
    const keyed = level.map((id, i) => {
      const known = (inputs.get(id) ?? []).map((p) => pos.get(p)).filter((p): p is number => p !== undefined);
      return { id, key: li === 0 || known.length === 0 ? i : known.reduce((a, b) => a + b, 0) / known.length, i };
    });
    keyed.sort((a, b) => a.key - b.key || a.i - b.i);
    keyed.forEach((k, i) => pos.set(k.id, i));
    return keyed.map((k) => k.id);
  });
}
