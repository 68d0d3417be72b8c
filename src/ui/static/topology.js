// The topology page: the DAG (topology-dag.js), live per-component and per-thread figures
// and the error history from /api/topology every second, and a throughput chart (uPlot).
// Everything is updated in place (common.js syncTable/put): nothing is rebuilt while a user
// selects text or reads a tooltip.
'use strict';
(() => {
  const { el, fmt, getJson, put, attr, syncTable, showError, utc, utcAxis, utcSeries, followWidth } = window.topo;
  const REFRESH_MS = 1000;
  const state = { chart: null, last: null, refreshes: 0 };
  window.topoDashboard = state;

  const STATS = [
    ['elapsed', 'elapsed (s)', (l) => Math.round(l.elapsedMs / 1000)], ['emitted', 'emitted (spouts)', (l) => l.totals.emitted],
    ['acked', 'acked', (l) => l.totals.acked], ['ackedPerSec', (l) => (l.status === 'running' ? 'acked/s (last 5 s)' : 'acked/s (whole run)'), (l) => l.totals.ackedPerSec],
    ['failed', 'failed', (l) => l.totals.failed], ['failedPerSec', 'failed/s (last 5 s)', (l) => l.totals.failedPerSec],
    ['replayed', 'replayed', (l) => l.totals.replayed], ['errors', 'errors', (l) => l.totals.errors], ['pending', 'pending trees', (l) => l.pending],
    ['p50', 'complete p50 (ms)', (l) => (l.completeLatencyMs ? l.completeLatencyMs.p50 : null)],
    ['p99', 'complete p99 (ms)', (l) => (l.completeLatencyMs ? l.completeLatencyMs.p99 : null)],
    ['workers', 'worker threads', (l) => l.workers], ['restarts', 'restarts', (l) => l.restarts],
  ];

  function updateStats(data) {
    const live = data.live;
    put(document.getElementById('title'), `topo: ${data.topology}`);
    if (document.title !== `topo: ${data.topology}`) document.title = `topo: ${data.topology}`;
    const badge = document.getElementById('status');
    const box = document.getElementById('stats');
    if (!live) {
      put(badge, 'not running here');
      if (!box.querySelector('p')) box.replaceChildren(el('p', { class: 'muted' }, 'No topology runs in this process: this is the plan of the served topology file. Start it with ',
        el('code', {}, 'topo run FILE --ui'), ' to see live figures.'));
      return;
    }
    // "degraded" while running with trouble; once ended, the run's own status (completed-with-failures, incomplete, ...).
    const shown = live.status === 'running' && live.health.degraded ? 'degraded' : live.status;
    put(badge, shown);
    attr(badge, 'class', `badge ${shown}`);
    attr(badge, 'data-status', live.status);
    for (const [id, label, get] of STATS) {
      let b = box.querySelector(`[data-stat="${id}"]`);
      if (!b) box.append(el('div', { class: 'stat' }, (b = el('b', { 'data-stat': id })), el('span')));
      const v = get(live);
      attr(b, 'data-value', v ?? '');
      put(b, fmt(v));
      put(b.nextSibling, typeof label === 'function' ? label(live) : label);
    }
    updateTrouble(live);
  }

  /** The reasons behind "degraded", and why an ended run is not a clean success. */
  function updateTrouble(live) {
    const box = document.getElementById('trouble');
    const lines = [...(live.statusReason ? [`run ${live.status}: ${live.statusReason}`] : []), ...live.health.reasons];
    box.hidden = lines.length === 0;
    attr(box, 'class', live.status === 'running' ? 'trouble degraded' : `trouble ${live.status}`);
    const list = box.querySelector('ul') || box.appendChild(el('ul'));
    [...list.children].slice(lines.length).forEach((li) => li.remove());
    lines.forEach((line, i) => put(list.children[i] || list.appendChild(el('li')), line));
  }

  // Two figures per cell where they belong together (total and rate): 13 columns fit 1300 px.
  const num = (field, sub, digits) => ({
    render(td, c) {
      const v = c[field];
      attr(td, 'data-field', field);
      attr(td, 'data-value', v ?? '');
      const main = td.firstChild || td.appendChild(el('span'));
      put(main, fmt(v, v === null || digits === undefined ? undefined : digits));
      if (!sub) return;
      const s = td.children[1] || td.appendChild(el('small', { 'data-field': sub }));
      attr(s, 'data-value', c[sub] ?? '');
      put(s, c[sub] ? `${fmt(c[sub])}/s` : '');
    },
  });
  const COMPONENT_COLUMNS = [
    { name: 'component', cls: 'text', render(td, c) {
      const b = td.firstChild || td.appendChild(el('b', { 'data-field': 'id' }));
      put(b, c.id);
      put(td.children[1] || td.appendChild(el('small', { 'data-field': 'kind' })), `${c.kind} ×${c.parallelism}`);
    } },
    { name: 'emitted', title: 'tuples emitted, and per second over the last 5 s', ...num('emitted', 'emittedPerSec') },
    { name: 'executed', ...num('executed', 'executedPerSec') },
    { name: 'acked', ...num('acked', 'ackedPerSec') },
    { name: 'failed', title: 'spouts: trees failed or timed out; bolts: tuples they failed', ...num('failed', 'failedPerSec') },
    { name: 'replayed', ...num('replayed') },
    { name: 'errors', ...num('errors', 'errorsPerSec') },
    { name: 'capacity', title: 'busy time / wall time of the busiest task (near 1: the bottleneck)', ...num('capacity', null, 2) },
    { name: 'exec ms', title: 'mean sampled execute latency', ...num('executeLatencyMs', null, 3) },
    { name: 'complete ms', title: 'complete latency p50 / p99 of the trees a spout rooted', render(td, c) {
      attr(td, 'data-field', 'completeLatency');
      put(td, c.completeLatencyMs ? `${fmt(c.completeLatencyMs.p50)} / ${fmt(c.completeLatencyMs.p99)}` : '-');
    } },
    { name: 'pending', ...num('pending') },
    { name: 'backpressure', cls: 'text', title: 'max-pending: a spout task at maxSpoutPending; congested: a thread of its tasks has full queues', render(td, c) {
      attr(td, 'data-field', 'backpressure');
      attr(td, 'data-value', c.backpressure.state);
      attr(td, 'class', c.backpressure.state === 'none' ? 'text' : 'text held');
      attr(td, 'title', c.backpressure.detail);
      put(td, c.backpressure.state === 'none' ? `no · ${fmt(c.backpressure.queued)} queued` : `${c.backpressure.state} · ${fmt(c.backpressure.queued)} queued`);
    } },
    { name: 'last error', cls: 'err', render(td, c) {
      attr(td, 'data-field', 'lastError');
      attr(td, 'data-value', c.lastError ?? '');
      attr(td, 'title', c.lastError);
      put(td, c.lastError ?? '');
    } },
  ];

  const text = (field, get) => ({ render(td, x) { attr(td, 'data-field', field); put(td, get(x)); } });
  const THREAD_COLUMNS = [
    { name: 'worker', ...text('worker', (t) => String(t.worker)) }, { name: 'tasks', cls: 'text', ...text('tasks', (t) => t.tasks.join(' ')) },
    { name: 'restarts', ...text('restarts', (t) => fmt(t.restarts)) }, { name: 'queued tuples', ...text('queueDepth', (t) => fmt(t.queueDepth)) },
    { name: 'inbound batches', ...text('inboundFrames', (t) => fmt(t.inboundFrames)) }, { name: 'congested', ...text('congested', (t) => (t.congested ? 'yes' : 'no')) },
    { name: 'heap MB', ...text('heapUsedMB', (t) => fmt(t.heapUsedMB)) }, { name: 'process RSS MB', ...text('rssMB', (t) => fmt(t.rssMB)) },
  ];

  const ERROR_COLUMNS = [
    { name: 'time (UTC)', ...text('at', (e) => new Date(e.at).toISOString().slice(0, 23).replace('T', ' ')) },
    { name: 'component', cls: 'text', ...text('component', (e) => e.component) },
    { name: 'task', ...text('taskId', (e) => String(e.taskId)) },
    { name: 'error (click for the full text)', cls: 'text message', render(td, e) {
      if (td.firstChild) return; // an entry never changes: keep its open/closed state
      const [first, ...rest] = e.message.split('\n');
      td.append(el('details', { 'data-field': 'message' }, el('summary', {}, `${e.fatal ? '[ended the run] ' : ''}${first}`), rest.length ? el('pre', {}, e.message) : null));
    } },
  ];

  // The page keeps more entries than each answer carries (the latest 50): an entry a user
  // opened stays while a throwing bolt adds ten a second.
  const KEPT_ERRORS = 200;
  const kept = new Map();

  function updateErrors(live) {
    for (const e of live.recentErrors) kept.set(e.seq, e);
    for (const seq of [...kept.keys()].sort((a, b) => a - b).slice(0, Math.max(0, kept.size - KEPT_ERRORS))) kept.delete(seq);
    const list = [...kept.values()].sort((a, b) => b.seq - a.seq);
    document.getElementById('errors-section').hidden = list.length === 0;
    put(document.getElementById('errors-note'), list.length ? `latest ${list.length} of ${fmt(live.totals.errors)} errors (each thread sends at most 5 texts a second; counts are exact)` : '');
    syncTable('errors', ERROR_COLUMNS, list, 'data-seq', (e) => e.seq);
  }

  function updateChart(history) {
    const data = [history.map((p) => p.t / 1000), history.map((p) => p.ackedPerSec), history.map((p) => p.emittedPerSec),
      history.map((p) => p.failedPerSec ?? 0), history.map((p) => p.p99Ms)];
    if (state.chart) return state.chart.setData(data);
    const box = document.getElementById('throughput');
    state.chart = new uPlot({
      width: Math.max(300, box.clientWidth), height: 220, tzDate: utc,
      series: [utcSeries('time (UTC)'), { label: 'acked/s', stroke: '#2f9e44', width: 2 }, { label: 'emitted/s', stroke: '#3b6fb6' },
        { label: 'failed/s', stroke: '#c92a2a', width: 2 }, { label: 'complete p99 ms (last 5 s)', stroke: '#d9480f', scale: 'ms', dash: [4, 4] }],
      axes: [utcAxis({ space: 90 }), { label: 'tuples/s', size: 60 }, { side: 1, scale: 'ms', label: 'ms', grid: { show: false } }],
    }, data, box);
    followWidth(state.chart, box, 220);
  }

  async function refresh() {
    const r = await getJson('/api/topology');
    if (!r.ok) {
      showError(`GET /api/topology: ${r.status} ${r.body && r.body.error}`);
      return REFRESH_MS;
    }
    state.last = r.body;
    window.topoDag.show(r.body.graph, r.body.graphVertical);
    updateStats(r.body);
    const live = r.body.live;
    window.topoDag.update(live);
    if (live) {
      syncTable('components', COMPONENT_COLUMNS, live.components, 'data-component', (c) => c.id);
      syncTable('threads', THREAD_COLUMNS, live.threads, 'data-worker', (t) => t.worker);
      updateErrors(live);
      updateChart(r.body.history);
      showError(live.error ? `run failed: ${live.error}` : null);
    }
    put(document.getElementById('updated'), `updated ${new Date().toISOString().slice(11, 19)} UTC`);
    state.refreshes++;
    // A finished run (or no run: topo serve) no longer changes: poll slowly, for a store coming back.
    return live !== null && live.status === 'running' ? REFRESH_MS : live !== null ? 5000 : 0;
  }

  async function loop() {
    const next = await refresh();
    if (next > 0) setTimeout(loop, next);
  }
  loop();
})();
