// The topology page's DAG: drawn from the server's layout (src/ui/graph.ts) at full size, in
// the orientation that fits the panel (left to right when it fits, else top to bottom, else
// whichever is narrower, scrolled inside the panel), and updated in place each second:
// capacity colours, rates, and failing or held-back components marked.
'use strict';
window.topoDag = (() => {
  const { el, fmt, capacityColor, put, attr } = window.topo;
  let drawn = null;
  let graphs = null;
  let lastLive = null;

  function pick(box) {
    const room = box.clientWidth;
    const { lr, tb } = graphs;
    if (lr.width <= room) return lr;
    if (tb.width <= room) return tb;
    return tb.width < lr.width ? tb : lr;
  }

  function draw(g) {
    const svg = el('svg:svg', { class: `dag ${g.direction}`, width: g.width, height: g.height, viewBox: `0 0 ${g.width} ${g.height}`, role: 'img', 'aria-label': 'topology graph', 'data-direction': g.direction });
    svg.append(el('svg:defs', {}, el('svg:marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' },
      el('svg:path', { d: 'M 0 0 L 10 5 L 0 10 z', fill: '#868e96' }))));
    for (const e of g.edges) {
      const key = `${e.from}>${e.to}`;
      svg.append(el('svg:g', { class: 'edge', 'data-edge': key, 'data-stream': e.stream },
        el('svg:title', {}, `${e.from} → ${e.to}: ${e.grouping} grouping, stream ${e.stream}`),
        el('svg:path', { d: e.path, 'marker-end': 'url(#arrow)' }),
        e.labelAt ? el('svg:text', { class: 'label', x: e.labelAt.x, y: e.labelAt.y + 4, 'text-anchor': 'middle' }, e.label) : null));
    }
    for (const n of g.nodes) {
      const x = n.x - g.nodeWidth / 2, y = n.y - g.nodeHeight / 2;
      svg.append(el('svg:g', { class: 'node', 'data-node': n.id },
        el('svg:title', {}, n.id),
        el('svg:rect', { x, y, width: g.nodeWidth, height: g.nodeHeight, fill: capacityColor(n.kind === 'spout' ? null : 0) }),
        el('svg:text', { class: 'title', x: n.x, y: y + 17, 'text-anchor': 'middle' }, n.id),
        el('svg:text', { x: n.x, y: y + 32, 'text-anchor': 'middle' }, `${n.kind} ×${n.parallelism}`),
        el('svg:text', { class: 'figure', x: n.x, y: y + 47, 'text-anchor': 'middle' }, ''),
        el('svg:text', { class: 'trouble', x: n.x, y: y + 62, 'text-anchor': 'middle' }, '')));
    }
    document.getElementById('dag').replaceChildren(svg);
    drawn = g;
    if (lastLive) update(lastLive);
  }

  /**
   * The failing mark: errors in the window, or tuples failed (bolts) / trees failed (spouts).
   * Once the run ended the window is frozen: the marks then say which components failed at all.
   */
  function trouble(c, running) {
    if (!running) {
      if (c.errors > 0) return { cls: 'failing', text: `⚠ ${fmt(c.errors)} errors` };
      if (c.failed > 0) return { cls: 'failing', text: `⚠ ${fmt(c.failed)} failed` };
      return { cls: null, text: '' };
    }
    if (c.recentErrors > 0) return { cls: 'failing', text: `⚠ ${fmt(c.errorsPerSec)} errors/s` };
    if (c.failedPerSec > 0) return { cls: 'failing', text: `⚠ failed ${fmt(c.failedPerSec)}/s` };
    if (c.backpressure.state !== 'none') return { cls: 'held', text: `backpressure: ${c.backpressure.state}` };
    return { cls: null, text: '' };
  }

  function update(live) {
    lastLive = live;
    if (!live || !drawn) return;
    for (const c of live.components) {
      const g = document.querySelector(`[data-node="${CSS.escape(c.id)}"]`);
      if (!g) continue;
      attr(g.querySelector('rect'), 'fill', capacityColor(c.kind === 'spout' ? null : (c.capacity ?? 0)));
      put(g.querySelector('.figure'), c.kind === 'spout'
        ? `${fmt(c.emittedPerSec)}/s · pending ${fmt(c.pending)}`
        : `cap ${c.capacity === null ? '-' : c.capacity.toFixed(2)} · ${fmt(c.executedPerSec)}/s`);
      const t = trouble(c, live.status === 'running');
      put(g.querySelector('.trouble'), t.text);
      attr(g, 'class', t.cls ? `node ${t.cls}` : 'node');
      put(g.querySelector('title'), [c.id, c.lastError && c.recentErrors > 0 ? `last error: ${c.lastError}` : null, c.backpressure.detail].filter(Boolean).join('\n'));
    }
  }

  /** Draw once, and again only when the panel's width calls for the other orientation. */
  function show(graph, graphVertical) {
    const box = document.getElementById('dag');
    if (!graphs) {
      graphs = { lr: graph, tb: graphVertical || graph };
      new ResizeObserver(() => {
        const g = pick(box);
        if (g !== drawn) draw(g);
      }).observe(box);
    }
    if (!drawn) draw(pick(box));
  }

  return { show, update };
})();
