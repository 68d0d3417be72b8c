// The topology page: the DAG (laid out by the server), live per-component and per-thread
// figures from /api/topology every second, and a throughput chart (uPlot).
'use strict';
(() => {
  const { el, fmt, getJson, capacityColor, fill, showError, utc } = window.topo;
  const REFRESH_MS = 1000;
  const state = { drawn: false, chart: null, last: null };
  window.topoDashboard = state;

  function drawGraph(g) {
    const svg = el('svg:svg', { class: 'dag', width: g.width, height: g.height, viewBox: `0 0 ${g.width} ${g.height}`, role: 'img', 'aria-label': 'topology graph' });
    svg.append(el('svg:defs', {}, el('svg:marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' },
      el('svg:path', { d: 'M 0 0 L 10 5 L 0 10 z', fill: '#868e96' }))));
    const at = new Map(g.nodes.map((n) => [n.id, n]));
    const pairs = new Map();
    for (const e of g.edges) {
      const a = at.get(e.from), b = at.get(e.to);
      const k = `${e.from}>${e.to}`;
      const nth = pairs.get(k) || 0;
      pairs.set(k, nth + 1);
      const x1 = a.x + g.nodeWidth / 2, y1 = a.y, x2 = b.x - g.nodeWidth / 2, y2 = b.y;
      const mx = (x1 + x2) / 2;
      svg.append(el('svg:g', { class: 'edge', 'data-edge': k },
        el('svg:path', { d: `M ${x1} ${y1} C ${mx} ${y1}, ${mx} ${y2}, ${x2} ${y2}`, 'marker-end': 'url(#arrow)' }),
        el('svg:text', { x: mx, y: (y1 + y2) / 2 - 4 + nth * 13, 'text-anchor': 'middle' }, `${e.grouping} · ${e.stream}`)));
    }
    for (const n of g.nodes) {
      const x = n.x - g.nodeWidth / 2, y = n.y - g.nodeHeight / 2;
      svg.append(el('svg:g', { class: 'node', 'data-node': n.id },
        el('svg:rect', { x, y, width: g.nodeWidth, height: g.nodeHeight, fill: capacityColor(n.kind === 'spout' ? null : 0) }),
        el('svg:text', { class: 'title', x: n.x, y: y + 18, 'text-anchor': 'middle' }, n.id),
        el('svg:text', { x: n.x, y: y + 33, 'text-anchor': 'middle' }, `${n.kind} ×${n.parallelism}`),
        el('svg:text', { class: 'figure', x: n.x, y: y + 48, 'text-anchor': 'middle' }, '')));
    }
    fill('dag', svg);
  }

  function updateGraph(live) {
    if (!live) return;
    for (const c of live.components) {
      const g = document.querySelector(`[data-node="${CSS.escape(c.id)}"]`);
      if (!g) continue;
      g.querySelector('rect').setAttribute('fill', capacityColor(c.kind === 'spout' ? null : (c.capacity ?? 0)));
      g.querySelector('.figure').textContent = c.kind === 'spout'
        ? `${fmt(c.emittedPerSec)}/s · pending ${fmt(c.pending)}`
        : `cap ${c.capacity === null ? '-' : c.capacity.toFixed(2)} · ${fmt(c.executedPerSec)}/s`;
    }
  }

  const stat = (label, value, id) => el('div', { class: 'stat' }, el('b', { 'data-stat': id, 'data-value': value ?? '' }, typeof value === 'number' ? fmt(value) : (value ?? '-')), el('span', {}, label));

  function updateStats(data) {
    const live = data.live;
    document.getElementById('title').textContent = `topo: ${data.topology}`;
    document.title = `topo: ${data.topology}`;
    const badge = document.getElementById('status');
    if (!live) {
      badge.textContent = 'not running here';
      badge.className = 'badge';
      fill('stats', el('p', { class: 'muted' }, 'No topology runs in this process: this is the plan of the served topology file. Start it with ',
        el('code', {}, 'topo run FILE --ui'), ' to see live figures.'));
      return;
    }
    badge.textContent = live.status;
    badge.className = `badge ${live.status}`;
    const lat = live.completeLatencyMs;
    fill('stats',
      stat('elapsed (s)', Math.round(live.elapsedMs / 1000), 'elapsed'),
      stat('emitted (spouts)', live.totals.emitted, 'emitted'),
      stat('acked', live.totals.acked, 'acked'),
      stat(live.status === 'running' ? 'acked/s (last 5 s)' : 'acked/s (whole run)', live.totals.ackedPerSec, 'ackedPerSec'),
      stat('failed', live.totals.failed, 'failed'),
      stat('replayed', live.totals.replayed, 'replayed'),
      stat('errors', live.totals.errors, 'errors'),
      stat('pending trees', live.pending, 'pending'),
      stat('complete p50 (ms)', lat ? lat.p50 : null, 'p50'),
      stat('complete p99 (ms)', lat ? lat.p99 : null, 'p99'),
      stat('worker threads', live.workers, 'workers'),
      stat('restarts', live.restarts, 'restarts'));
    showError(live.error ? `run failed: ${live.error}` : null);
  }

  const COLUMNS = [
    ['component', (c) => c.id, 'text'], ['kind', (c) => c.kind, 'text'], ['tasks', (c) => c.parallelism],
    ['emitted', (c) => c.emitted], ['emitted/s', (c) => c.emittedPerSec], ['executed', (c) => c.executed], ['executed/s', (c) => c.executedPerSec],
    ['acked', (c) => c.acked], ['failed', (c) => c.failed], ['replayed', (c) => c.replayed], ['errors', (c) => c.errors],
    ['capacity', (c) => c.capacity, 2], ['execute ms', (c) => c.executeLatencyMs, 3],
    ['complete p50 ms', (c) => (c.completeLatencyMs ? c.completeLatencyMs.p50 : null)], ['complete p99 ms', (c) => (c.completeLatencyMs ? c.completeLatencyMs.p99 : null)],
    ['pending', (c) => c.pending], ['last error', (c) => c.lastError, 'err'],
  ];
  const KEYS = ['id', 'kind', 'parallelism', 'emitted', 'emittedPerSec', 'executed', 'executedPerSec', 'acked', 'failed', 'replayed', 'errors',
    'capacity', 'executeLatencyMs', 'completeP50', 'completeP99', 'pending', 'lastError'];

  function updateComponents(live) {
    if (!live) return fill('components');
    const head = el('tr', {}, COLUMNS.map(([name, , how]) => el('th', { class: how === 'text' || how === 'err' ? 'text' : null }, name)));
    const rows = live.components.map((c) => el('tr', { 'data-component': c.id }, COLUMNS.map(([, get, how], i) => {
      const v = get(c);
      const text = how === 'text' || how === 'err' ? (v ?? '') : fmt(v, typeof how === 'number' ? (v === null ? undefined : how) : undefined);
      return el('td', { class: how === 'text' ? 'text' : how === 'err' ? 'err' : null, 'data-field': KEYS[i], 'data-value': v ?? '', title: how === 'err' && v ? v : null }, text);
    })));
    fill('components', el('thead', {}, head), el('tbody', {}, rows));
  }

  function updateThreads(live) {
    if (!live) return fill('threads');
    const head = el('tr', {}, ['worker', 'tasks', 'restarts', 'queued tuples', 'inbound batches', 'congested', 'heap MB', 'process RSS MB'].map((h) => el('th', { class: h === 'tasks' ? 'text' : null }, h)));
    const rows = live.threads.map((t) => el('tr', { 'data-worker': t.worker },
      el('td', {}, String(t.worker)), el('td', { class: 'text' }, t.tasks.join(' ')), el('td', { 'data-field': 'restarts' }, fmt(t.restarts)),
      el('td', { 'data-field': 'queueDepth' }, fmt(t.queueDepth)), el('td', {}, fmt(t.inboundFrames)), el('td', {}, t.congested ? 'yes' : 'no'),
      el('td', {}, fmt(t.heapUsedMB)), el('td', {}, fmt(t.rssMB))));
    fill('threads', el('thead', {}, head), el('tbody', {}, rows));
  }

  function updateChart(history) {
    const data = [history.map((p) => p.t / 1000), history.map((p) => p.ackedPerSec), history.map((p) => p.emittedPerSec), history.map((p) => p.p99Ms)];
    if (!state.chart) {
      const box = document.getElementById('throughput');
      state.chart = new uPlot({
        width: Math.max(400, box.clientWidth - 10), height: 220, tzDate: utc,
        series: [{}, { label: 'acked/s', stroke: '#2f9e44', width: 2 }, { label: 'emitted/s', stroke: '#3b6fb6' }, { label: 'complete p99 ms (last 5 s)', stroke: '#d9480f', scale: 'ms', dash: [4, 4] }],
        axes: [{}, { label: 'tuples/s', size: 60 }, { side: 1, scale: 'ms', label: 'ms', grid: { show: false } }],
      }, data, box);
    } else state.chart.setData(data);
  }

  async function refresh() {
    const r = await getJson('/api/topology');
    if (!r.ok) {
      showError(`GET /api/topology: ${r.status} ${r.body && r.body.error}`);
      return true;
    }
    state.last = r.body;
    if (!state.drawn) {
      drawGraph(r.body.graph);
      state.drawn = true;
    }
    updateStats(r.body);
    updateGraph(r.body.live);
    updateComponents(r.body.live);
    updateThreads(r.body.live);
    if (r.body.live) updateChart(r.body.history);
    document.getElementById('updated').textContent = `updated ${new Date().toISOString().slice(11, 19)} UTC`;
    state.refreshes = (state.refreshes || 0) + 1;
    // A finished run (or no run: topo serve) no longer changes: stop polling.
    return r.body.live !== null && r.body.live.status === 'running';
  }

  async function loop() {
    if (await refresh()) setTimeout(loop, REFRESH_MS);
  }
  loop();
})();
