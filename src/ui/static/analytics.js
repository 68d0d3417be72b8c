// The analytics page: every figure is an answer of the serving layer (/api/top, /api/query,
// /api/keys: batch + realtime merged, exactly what `topo query` prints), refreshed every
// 2 s while "live" is on. The chart marks the batch watermark: buckets left of it come from
// the batch view, the rest from the realtime view.
'use strict';
(() => {
  const { el, fmt, getJson, fill, showError, utc } = window.topo;
  const REFRESH_MS = 2000;
  const MAX_DOMAINS = 20;
  const form = document.getElementById('controls');
  const state = { chart: null, answers: {}, busy: false, refreshes: 0 };
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

  /** GET and return the body, or throw with the server's reason (a 400 says what is wrong). */
  async function ask(path, query) {
    const r = await getJson(`${path}?${qs(query)}`);
    if (!r.ok) throw new Error(`${path}: ${r.status} ${r.body && r.body.error ? r.body.error : ''}`);
    return r.body;
  }

  /** uPlot plugin: shade the batch part of the axis and draw the watermark line. */
  function watermarkPlugin() {
    return {
      hooks: {
        draw: [(u) => {
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
      state.chart = new uPlot({
        width: Math.max(400, box.clientWidth - 10), height: 280, tzDate: utc, plugins: [watermarkPlugin()],
        series: [{ label: 'hour (UTC)' }, { label: 'pageviews', stroke: '#d9480f', width: 2, points: { show: true } },
          { label: 'unique visitors', stroke: '#3b6fb6', width: 2, points: { show: true } }],
        axes: [{}, { label: 'per hour', size: 60 }],
      }, data, box);
    }
    fill('chart-url', pv.key);
    const wm = pv.watermark ? `batch watermark ${pv.watermark} (shaded: from the batch view)` : 'no batch run yet: every bucket is realtime';
    fill('hourly-note', `${fmt(pv.value)} pageviews, ${fmt(uq.value)} unique visitors over the range (a HyperLogLog union: a visitor of several hours counts once). ${wm}.`);
    const head = el('tr', {}, ['hour (UTC)', 'pageviews', 'unique visitors', 'source'].map((h) => el('th', {}, h)));
    const rows = pv.buckets.map((b, i) => el('tr', { 'data-hour': b.start }, el('td', {}, b.start.slice(0, 16).replace('T', ' ')),
      el('td', { 'data-field': 'pageviews' }, fmt(b.value)), el('td', { 'data-field': 'uniques' }, fmt(uq.buckets[i] ? uq.buckets[i].value : null)),
      el('td', { class: 'text' }, b.source)));
    fill('hourly-table', el('thead', {}, head), el('tbody', {}, rows));
  }

  function drawTop(top) {
    const max = Math.max(1, ...top.top.map((e) => e.score));
    const head = el('tr', {}, el('th', {}, '#'), el('th', { class: 'text' }, 'URL'), el('th', {}, 'pageviews'), el('th', {}));
    const rows = top.top.map((e, i) => el('tr', { 'data-url': e.key }, el('td', {}, String(i + 1)),
      el('td', { class: 'text url' }, el('button', { class: 'link', type: 'button', onclick: () => { form.elements.url.value = e.key; apply(); } }, e.key)),
      el('td', { 'data-field': 'pageviews' }, fmt(e.score)),
      el('td', { class: 'text' }, el('span', { class: 'bar', style: `width:${Math.round((e.score / max) * 90)}px` }))));
    fill('top', el('thead', {}, head), el('tbody', {}, rows.length ? rows : [el('tr', {}, el('td', { colspan: 4, class: 'muted' }, 'no pageviews in this range'))]));
  }

  function drawBounces(list) {
    const head = el('tr', {}, ['domain', 'visits', 'bounces', 'bounce rate', ''].map((h) => el('th', {}, h)));
    const rows = list.map(({ key, value }) => el('tr', { 'data-domain': key }, el('td', { class: 'text' }, key),
      el('td', { 'data-field': 'visits' }, fmt(value.visits)), el('td', { 'data-field': 'bounces' }, fmt(value.bounces)),
      el('td', { 'data-field': 'rate' }, value.rate === null ? '-' : `${(value.rate * 100).toFixed(1)}%`),
      el('td', { class: 'text' }, el('span', { class: 'bar', style: `width:${Math.round((value.rate || 0) * 90)}px` }))));
    fill('bounces', el('thead', {}, head), el('tbody', {}, rows.length ? rows : [el('tr', {}, el('td', { colspan: 5, class: 'muted' }, 'no visits in this range'))]));
  }

  async function refresh() {
    const s = settings();
    const views = await ask('/api/views', {});
    const names = views.views.map((v) => v.name);
    for (const need of ['pageviews', 'uniques', 'bounces']) {
      if (!names.includes(need)) throw new Error(`topology '${views.namespace}' has no '${need}' view (it has: ${names.join(', ')}); this page shows the pageviews views`);
    }
    document.getElementById('title').textContent = `topo analytics: ${views.namespace}`;
    const top = await ask('/api/top', { view: 'pageviews', from: s.from, to: s.to, n: s.n });
    const url = s.url || (top.top[0] && top.top[0].key);
    if (!url) {
      state.answers = { top };
      drawTop(top);
      fill('range', 'No pageviews yet. Run the pageviews topology (topo run topologies/pageviews.ts --ui).');
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
    fill('range', `range ${pv.from} to ${pv.to} (UTC)${s.from || s.to ? '' : ': the latest day with data'}; top by pageviews over the same range.`);
    const badge = document.getElementById('watermark');
    badge.textContent = pv.watermark ? `batch watermark ${pv.watermark.slice(0, 16).replace('T', ' ')}` : 'no batch yet (all realtime)';
  }

  async function tick() {
    if (state.busy) return;
    state.busy = true;
    try {
      await refresh();
      showError(null);
      state.refreshes++;
      document.getElementById('updated').textContent = `updated ${new Date().toISOString().slice(11, 19)} UTC`;
    } catch (err) {
      showError(err.message);
      state.errors = (state.errors || 0) + 1;
    } finally {
      state.busy = false;
    }
  }

  function apply() {
    const s = settings();
    history.replaceState(null, '', `?${qs({ from: s.from, to: s.to, url: s.url, n: s.n === '10' ? '' : s.n, live: form.elements.live.checked ? '' : '0' })}`);
    void tick();
  }
  form.addEventListener('submit', (e) => { e.preventDefault(); apply(); });
  setInterval(() => { if (form.elements.live.checked) void tick(); }, REFRESH_MS);
  void tick();
})();
