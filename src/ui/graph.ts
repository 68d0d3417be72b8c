/**
 * The DAG the topology page draws: user components as nodes placed by level (longest path
 * from a spout: topologicalLevels), edges labelled by grouping and stream. Laid out here,
 * not in the browser, so the page stays a few lines of SVG and the layout is testable.
 * System components (the acker) and their streams are left out, as Storm UI does by default.
 */
import type { Grouping, Plan } from '../topology/plan.js';
import { topologicalLevels } from '../topology/system.js';

export interface GraphNode {
  readonly id: string;
  readonly kind: 'spout' | 'bolt';
  readonly parallelism: number;
  /** Column (0 = spouts) and row within the column. */
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
}

export interface Graph {
  readonly width: number;
  readonly height: number;
  readonly nodeWidth: number;
  readonly nodeHeight: number;
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
}

/** Box size and the gaps between columns and rows: room for an edge label between columns. */
const NODE_W = 150;
const NODE_H = 56;
const COL_GAP = 130;
const ROW_GAP = 40;
const MARGIN = 20;

export function groupingLabel(g: Grouping): string {
  return g.type === 'fields' || g.type === 'partialKey' ? `${g.type}(${g.fields.join(',')})` : g.type;
}

export function layoutGraph(plan: Plan): Graph {
  const levels = topologicalLevels(plan);
  const byId = new Map(plan.components.map((c) => [c.id, c]));
  const rows = Math.max(1, ...levels.map((l) => l.length));
  const height = MARGIN * 2 + rows * NODE_H + (rows - 1) * ROW_GAP;
  const nodes: GraphNode[] = [];
  levels.forEach((level, li) => {
    // Centre each column vertically so a lone bolt sits level with the middle of the graph.
    const used = level.length * NODE_H + (level.length - 1) * ROW_GAP;
    const top = (height - used) / 2;
    level.forEach((id, ri) => {
      const c = byId.get(id)!;
      nodes.push({
        id, kind: c.kind, parallelism: c.parallelism, level: li, row: ri,
        x: MARGIN + li * (NODE_W + COL_GAP) + NODE_W / 2,
        y: top + ri * (NODE_H + ROW_GAP) + NODE_H / 2,
      });
    });
  });
  const shown = new Set(nodes.map((n) => n.id));
  const edges: GraphEdge[] = [];
  for (const c of plan.components) {
    if (!shown.has(c.id)) continue;
    for (const i of c.inputs) {
      if (shown.has(i.component)) edges.push({ from: i.component, to: c.id, stream: i.stream, grouping: groupingLabel(i.grouping) });
    }
  }
  const width = MARGIN * 2 + levels.length * NODE_W + Math.max(0, levels.length - 1) * COL_GAP;
  return { width, height, nodeWidth: NODE_W, nodeHeight: NODE_H, nodes, edges };
}
