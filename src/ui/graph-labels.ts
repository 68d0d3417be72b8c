/**
 * Edge curves and edge-label placement for the DAG. Labels sit between the columns (or rows)
 * their edge crosses; with many edges between the same two levels the middles coincide, so
 * each label tries points along its own curve, from the middle outwards, and takes the first
 * whose box touches no node and no label already placed. An edge whose label fits nowhere
 * keeps it as its tooltip: a crowded graph stays legible rather than stacking text.
 */

export interface Point { readonly x: number; readonly y: number }
export interface Box { readonly l: number; readonly t: number; readonly r: number; readonly b: number }

/** A cubic Bézier from `a` to `b` leaving and entering along the layout's direction. */
export interface Curve { readonly p0: Point; readonly p1: Point; readonly p2: Point; readonly p3: Point }

export function curveBetween(a: Point, b: Point, direction: 'lr' | 'tb'): Curve {
  if (direction === 'lr') {
    const mx = (a.x + b.x) / 2;
    return { p0: a, p1: { x: mx, y: a.y }, p2: { x: mx, y: b.y }, p3: b };
  }
  const my = (a.y + b.y) / 2;
  return { p0: a, p1: { x: a.x, y: my }, p2: { x: b.x, y: my }, p3: b };
}

export function pathOf(c: Curve): string {
  const f = (p: Point): string => `${round(p.x)} ${round(p.y)}`;
  return `M ${f(c.p0)} C ${f(c.p1)}, ${f(c.p2)}, ${f(c.p3)}`;
}

export function pointAt(c: Curve, t: number): Point {
  const u = 1 - t;
  const k0 = u * u * u, k1 = 3 * u * u * t, k2 = 3 * u * t * t, k3 = t * t * t;
  return { x: k0 * c.p0.x + k1 * c.p1.x + k2 * c.p2.x + k3 * c.p3.x, y: k0 * c.p0.y + k1 * c.p1.y + k2 * c.p2.y + k3 * c.p3.y };
}

/** Width of `text` at the page's 11 px edge-label font, generously (system-ui averages ~6 px). */
export function labelWidth(text: string): number {
  return Math.ceil(text.length * 6.4) + 8;
}
export const LABEL_H = 15;

const TRIES = [0.5, 0.4, 0.6, 0.3, 0.7, 0.22, 0.78];
const PAD = 2;

const overlaps = (a: Box, b: Box): boolean => !(a.r + PAD <= b.l || b.r + PAD <= a.l || a.b + PAD <= b.t || b.b + PAD <= a.t);

/**
 * Centres for the labels, in edge order (null: no free spot). `obstacles` are the node boxes;
 * `bounds` the drawing, which a label must stay inside.
 */
export function placeLabels(edges: ReadonlyArray<{ curve: Curve; label: string }>, obstacles: readonly Box[], bounds: Box): Array<Point | null> {
  const placed: Box[] = [];
  return edges.map(({ curve, label }) => {
    const w = labelWidth(label);
    for (const t of TRIES) {
      const p = pointAt(curve, t);
      const box = { l: p.x - w / 2, r: p.x + w / 2, t: p.y - LABEL_H / 2, b: p.y + LABEL_H / 2 };
      if (box.l < bounds.l || box.r > bounds.r || box.t < bounds.t || box.b > bounds.b) continue;
      if (obstacles.some((o) => overlaps(box, o)) || placed.some((o) => overlaps(box, o))) continue;
      placed.push(box);
      return { x: round(p.x), y: round(p.y) };
    }
    return null;
  });
}

const round = (x: number): number => Math.round(x * 10) / 10;
