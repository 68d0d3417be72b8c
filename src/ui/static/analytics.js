// The analytics page: every figure is an answer of the serving layer (/api/top, /api/query,
// /api/keys: batch + realtime merged, exactly what `topo query` prints), refreshed every
// 2 s while "live" is on. The chart marks the batch watermark: buckets left of it come from
// the batch view, the rest from the realtime view; a bucket neither holds (a hole) is a gap
// in the lines over a hatched band, never a zero. Refreshes ask for the range last
// submitted (Show, a link, the address), never for what is half typed in the form; when a
// refresh fails (Redis down) the last figures stay, marked stale with their time.
'use strict';
(() => {
  const { el, fmt, getJson, put, attr, syncTable, showError, utc, utcAxis, utcSeries, followWidth } = window.topo;
  const REFRESH_MS = 2000;
  const MAX_DOMAINS = 20;
  const form = document.getElementById('controls');
  const state = { chart: null, resize: null, answers: {}, busy: false, refreshes: 0, errors: 0, applied: null, okAt: null };
  window.topoDashboard = state;

  // The form mirrors the address bar, so a view of the data can be linked to.
  const params = new URLSearchParams(location.search);
  for (const name of ['from', 'to', 'url', 'n']) if (params.get(name) !== null) form.elements[name].value = params.get(name);
  if (params.get('live') === '0') form.elements.live.checked = false;

  const qs = (o) => new URLSearchParams(Object.entries(o).filter(([, v]) => v !== undefined && v !== null && v !== '')).toString();
  const settings = () => ({
    from: form.elements.from.value.trim(), to: form.elements.to.value.trim(),
    url: form.elements.url.value.trim(), n: form.elements.n.value.trim() || '10',
  });
  // What the page shows: the form as it was when last submitted (or as the address gave it).
  state.applied = settings();

  /** GET and return the body, or throw with the server's reason (a 400 says what is wrong). */
  async function ask(path, query) {
    const r = await getJson(`${path}?${qs(query)}`);
    if (!r.ok) throw new Error(`${path}: ${r.status} ${r.body && r.body.error ? r.body.error : ''}`);
    return r.body;
  }

  /** Hatch the missing buckets: the lines break there (their values are null). */
  function drawHoles(u) {
    const pv = state.answers.pageviews;
    if (!pv || !pv.missing) return;
    const { left, top, width, height } = u.bbox;
    const starts = pv.buckets.map((b) => Date.parse(b.start) / 1000);
    const step = starts.length > 1 ? starts[1] - starts[0] : 3600;
    const ctx = u.ctx;
    ctx.save();
    ctx.beginPath();
    ctx.rect(left, top, width, height);
    ctx.clip();
    ctx.fillStyle = 'rgba(102, 112, 133, 0.18)';
    pv.buckets.forEach((b, i) => {
      if (b.source !== 'missing') return;
      const x0 = u.valToPos(starts[i] - step / 2, 'x', true);
      const x1 = u.valToPos(starts[i] + step / 2, 'x', true);
      ctx.fillRect(x0, top, x1 - x0, height);
    });
    ctx.restore();
  }

  /** uPlot plugin: shade the batch part of the axis, draw the watermark line, hatch the holes. */
  function watermarkPlugin() {
    return {
      hooks: {
        draw: [drawHoles, (u) => {
          const wm = state.answers.pageviews && state.answers.pageviews.watermark;
          if (!wm) return;
          const x = u.valToPos(Date.parse(wm) / 1000, 'x', true);
          const { left, top, width, height } = u.bbox;
          const cx = Math.max(left, Math.min(left + width, x));
          const ctx = u.ctx;
          ctx.save();
          ctx.fillStyle = 'rgba(59, 111, 182, 0.08)';
          ctx.fillRect(left, top, cx - left, height);
          if (x >= left && x <= left + width) {
            ctx.strokeStyle = '#3b6fb6';
            ctx.lineWidth = 2 * devicePixelRatio;
            ctx.setLineDash([6 * devicePixelRatio, 4 * devicePixelRatio]);
            ctx.beginPath();
            ctx.moveTo(x, top);
            ctx.lineTo(x, top + height);
            ctx.stroke();
            ctx.fillStyle = '#3b6fb6';
            ctx.font = `${11 * devicePixelRatio}px sans-serif`;
            // The label goes on the side with room for it.
            const label = 'batch | realtime';
            const w = ctx.measureText(label).width;
            const lx = x + w + 8 * devicePixelRatio < left + width ? x + 4 * devicePixelRatio : x - w - 4 * devicePixelRatio;
            ctx.fillText(label, lx, top + 12 * devicePixelRatio);
          }
          ctx.restore();
        }],
      },
    };
  }

  function drawHourly(pv, uq) {
    const data = [pv.buckets.map((b) => Date.parse(b.start) / 1000), pv.buckets.map((b) => b.value), uq.buckets.map((b) => b.value)];
    const box = document.getElementById('hourly');
    if (state.chart && state.chart.data[0].length === data[0].length && state.chart.data[0][0] === data[0][0]) {
      state.chart.setData(data);
    } else {
      if (state.chart) state.chart.destroy();
      if (state.resize) state.resize.disconnect();
      state.chart = new uPlot({
        width: Math.max(300, box.clientWidth), height: 280, tzDate: utc, plugins: [watermarkPlugin()],
        // spanGaps false: a missing bucket (null) breaks the line instead of being bridged.
        series: [utcSeries('hour (UTC)'), { label: 'pageviews', stroke: '#d9480f', width: 2, points: { show: true }, spanGaps: false },
          { label: 'unique visitors', stroke: '#3b6fb6', width: 2, points: { show: true }, spanGaps: false }],
        axes: [utcAxis({ space: 90 }), { label: 'per hour', size: 60 }],
      }, data, box);
      state.resize = followWidth(state.chart, box, 280);
    }
    put(document.getElementById('chart-url'), pv.key);
    const wm = pv.watermark ? `batch watermark ${pv.watermark} (shaded: from the batch view)` : 'no batch run yet: every bucket is realtime';
    const holes = pv.missing ? ` Incomplete: ${pv.missing} of ${pv.buckets.length} hours missing (no batch version covers them and the realtime view no longer holds them): gaps in the chart, left out of the totals.` : '';
    put(document.getElementById('hourly-note'), `${fmt(pv.value)} pageviews, ${fmt(uq.value)} unique visitors over the range (a HyperLogLog union: a visitor of several hours counts once). ${wm}.${holes}`);
    const rows = pv.buckets.map((b, i) => ({ b, u: uq.buckets[i] }));
    syncTable('hourly-table', HOURLY_COLUMNS, rows, 'data-hour', (r) => r.b.start);
  }

  const cell = (field, get) => ({ render(td, x) { attr(td, 'data-field', field); put(td, get(x)); } });
  const HOURLY_COLUMNS = [
    { name: 'hour (UTC)', render(td, r) { put(td, r.b.start.slice(0, 16).replace('T', ' ')); } },
    { name: 'pageviews', ...cell('pageviews', (r) => fmt(r.b.value)) },
    { name: 'unique visitors', ...cell('uniques', (r) => fmt(r.u ? r.u.value : null)) },
    { name: 'source', cls: 'text', render(td, r) { put(td, r.b.source); } },
  ];

  // Tables keep their rows between refreshes (a selection or a hovered link survives).
  const empty = (id, cols, text) => {
    syncTable(id, [{ name: '', render(td) { attr(td, 'colspan', cols); attr(td, 'class', 'muted'); put(td, text); } }], [{}], 'data-empty', () => 'none');
  };
  const bar = (fraction) => ({ render(td, x) {
    const b = td.firstChild || td.appendChild(el('span', { class: 'bar' }));
    attr(b, 'style', `width:${Math.round(fraction(x) * 90)}px`);
  } });

  function drawTop(top) {
    const max = Math.max(1, ...top.top.map((e) => e.score));
    const table = document.getElementById('top');
    if (top.top.length === 0) return (table.replaceChildren(), empty('top', 4, 'no pageviews in this range'));
    if (table.querySelector('[data-empty]')) table.replaceChildren();
    syncTable('top', [
      { name: '#', render(td, e) { put(td, String(top.top.indexOf(e) + 1)); } },
      { name: 'URL', cls: 'text url', render(td, e) {
        if (!td.firstChild) td.append(el('button', { class: 'link', type: 'button', onclick: () => { form.elements.url.value = e.key; apply(); } }, e.key));
      } },
      { name: 'pageviews', ...cell('pageviews', (e) => fmt(e.score)) },
      { name: '', cls: 'text', ...bar((e) => e.score / max) },
    ], top.top, 'data-url', (e) => e.key);
  }

  function drawBounces(list) {
    const table = document.getElementById('bounces');
    if (list.length === 0) return (table.replaceChildren(), empty('bounces', 5, 'no visits in this range'));
    if (table.querySelector('[data-empty]')) table.replaceChildren();
    syncTable('bounces', [
      { name: 'domain', cls: 'text', render(td, d) { put(td, d.key); } },
      { name: 'visits', ...cell('visits', (d) => fmt(d.value.visits)) },
      { name: 'bounces', ...cell('bounces', (d) => fmt(d.value.bounces)) },
      { name: 'bounce rate', ...cell('rate', (d) => (d.value.rate === null ? '-' : `${(d.value.rate * 100).toFixed(1)}%`)) },
      { name: '', cls: 'text', ...bar((d) => d.value.rate || 0) },
    ], list, 'data-domain', (d) => d.key);
  }

  /** Keep the last figures when a refresh fails, but say they are not current (and since when). */
  function markStale(reason) {
    const note = document.getElementById('stale');
    const stale = reason !== null && state.okAt !== null;
    note.hidden = !stale;
    for (const s of document.querySelectorAll('main section.figures')) s.classList.toggle('stale', stale);
    if (stale) put(note, `Stale: these figures are from ${new Date(state.okAt).toISOString().slice(11, 19)} UTC, the last refresh failed (${reason}). They update again once the views store answers.`);
  }

  async function refresh() {
    const s = state.applied;
    const views = await ask('/api/views', {});
    const names = views.views.map((v) => v.name);
    for (const need of ['pageviews', 'uniques', 'bounces']) {
      if (!names.includes(need)) throw new Error(`topology '${views.namespace}' has no '${need}' view (it has: ${names.join(', ')}); this page shows the pageviews views`);
    }
    put(document.getElementById('title'), `topo analytics: ${views.namespace}`);
    const top = await ask('/api/top', { view: 'pageviews', from: s.from, to: s.to, n: s.n });
    const url = s.url || (top.top[0] && top.top[0].key);
    if (!url) {
      state.answers = { top };
      drawTop(top);
      put(document.getElementById('range'), 'No pageviews yet. Run the pageviews topology (topo run topologies/pageviews.ts --ui).');
      return;
    }
    const pv = await ask('/api/query', { view: 'pageviews', key: url, from: s.from, to: s.to });
    // The range as the server resolved it (a default range ends at the latest hour with data):
    // every other figure uses exactly this one.
    const range = { from: pv.from, to: pv.to };
    const uq = await ask('/api/query', { view: 'uniques', key: url, ...range });
    const keys = await ask('/api/keys', { view: 'bounces' });
    const bounces = await Promise.all(keys.keys.slice(0, MAX_DOMAINS).map((key) => ask('/api/query', { view: 'bounces', key, ...range })));
    const domains = bounces.map((b) => ({ key: b.key, value: b.value })).filter((b) => b.value.visits > 0).sort((a, b) => b.value.visits - a.value.visits);
    state.answers = { top, pageviews: pv, uniques: uq, bounces: domains };
    drawTop(top);
    drawHourly(pv, uq);
    drawBounces(domains);
    put(document.getElementById('range'), `range ${pv.from} to ${pv.to} (UTC)${s.from || s.to ? '' : ': the latest day with data'}; top by pageviews over the same range.`);
    const badge = document.getElementById('watermark');
    put(badge, pv.watermark ? `batch watermark ${pv.watermark.slice(0, 16).replace('T', ' ')}` : 'no batch yet (all realtime)');
  }

  async function tick() {
    if (state.busy) return;
    state.busy = true;
    try {
      await refresh();
      showError(null);
      state.refreshes++;
      state.okAt = Date.now();
      markStale(null);
      put(document.getElementById('updated'), `updated ${new Date().toISOString().slice(11, 19)} UTC`);
    } catch (err) {
      showError(err.message);
      markStale(err.message);
      state.errors++;
    } finally {
      state.busy = false;
    }
  }

  function apply() {
    const s = settings();
    state.applied = s;
    history.replaceState(null, '', `?${qs({ from: s.from, to: s.to, url: s.url, n: s.n === '10' ? '' : s.n, live: form.elements.live.checked ? '' : '0' })}`);
    void tick();
  }
  form.addEventListener('submit', (e) => { e.preventDefault(); apply(); });
  setInterval(() => { if (form.elements.live.checked) void tick(); }, REFRESH_MS);
  void tick();
})();
