// Helpers shared by the dashboard pages. Every value from the server (component ids, URLs
// read from a log, error texts) goes into the page as text, never as HTML: a URL in an
// access log is whatever a client sent.
'use strict';
window.topo = (() => {
  /** An element with attributes and children (strings become text nodes). */
  function el(tag, attrs, ...children) {
    const ns = tag.startsWith('svg:') ? 'http://www.w3.org/2000/svg' : null;
    const e = ns ? document.createElementNS(ns, tag.slice(4)) : document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children.flat()) if (c !== null && c !== undefined) e.append(typeof c === 'string' || typeof c === 'number' ? String(c) : c);
    return e;
  }

  const nf = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });
  /** 1234567 -> "1,234,567"; null -> "-". */
  function fmt(n, digits) {
    if (n === null || n === undefined || Number.isNaN(n)) return '-';
    return digits === undefined ? nf.format(n) : Number(n).toFixed(digits);
  }

  /** GET url as JSON: {ok, status, body}; a network error is status 0 with the reason. */
  async function getJson(url) {
    try {
      const res = await fetch(url, { cache: 'no-store' });
      const text = await res.text();
      let body = null;
      try { body = text ? JSON.parse(text) : null; } catch { body = { error: text }; }
      return { ok: res.ok, status: res.status, body };
    } catch (err) {
      return { ok: false, status: 0, body: { error: `cannot reach the dashboard server: ${err.message}` } };
    }
  }

  /** Capacity 0..1 as green -> amber -> red (Storm UI's reading: near 1, the bolt is the bottleneck). */
  function capacityColor(c) {
    if (c === null || c === undefined) return '#e7f0fb';
    const x = Math.max(0, Math.min(1, c));
    const mix = (a, b, t) => Math.round(a + (b - a) * t);
    const [from, to, t] = x < 0.5 ? [[211, 249, 216], [255, 236, 153], x / 0.5] : [[255, 236, 153], [255, 135, 135], (x - 0.5) / 0.5];
    return `rgb(${mix(from[0], to[0], t)},${mix(from[1], to[1], t)},${mix(from[2], to[2], t)})`;
  }

  /** Replace the children of the element with id `id` (only for content that is not live). */
  function fill(id, ...children) {
    const e = document.getElementById(id);
    e.replaceChildren(...children.flat());
    return e;
  }

  /**
   * Writes that touch the DOM only when the value changed: a cell rewritten every second
   * with the same text would drop the user's text selection and close its tooltip.
   */
  function put(node, text) {
    const t = text === null || text === undefined ? '' : String(text);
    if (node.textContent !== t) node.textContent = t;
  }
  function attr(node, name, value) {
    if (value === null || value === undefined || value === false) {
      if (node.hasAttribute(name)) node.removeAttribute(name);
    } else if (node.getAttribute(name) !== String(value)) node.setAttribute(name, String(value));
  }

  /**
   * Keep table `id` showing `items` in place: the header is built once, one row per key
   * (attribute `keyAttr`), rows reused, moved, added or removed, and each column's
   * `render(td, item)` updates its cell (with put/attr). `cols`: [{name, cls, title, render}].
   */
  function syncTable(id, cols, items, keyAttr, keyOf) {
    const table = document.getElementById(id);
    if (!table.tHead) {
      table.append(el('thead', {}, el('tr', {}, cols.map((c) => el('th', { class: c.cls || null, title: c.title || null }, c.name)))), el('tbody'));
    }
    const body = table.tBodies[0];
    const rows = new Map([...body.rows].map((tr) => [tr.getAttribute(keyAttr), tr]));
    items.forEach((item, i) => {
      const key = String(keyOf(item));
      let tr = rows.get(key);
      if (!tr) {
        tr = el('tr', { [keyAttr]: key }, cols.map((c) => el('td', { class: c.cls || null })));
        rows.set(key, tr);
      }
      if (body.rows[i] !== tr) body.insertBefore(tr, body.rows[i] || null);
      cols.forEach((c, j) => c.render(tr.cells[j], item, tr));
    });
    const keep = new Set(items.map((item) => String(keyOf(item))));
    for (const [key, tr] of rows) if (!keep.has(key)) tr.remove();
    return table;
  }

  /** Show `message` in the page's error box, or hide it with null. */
  function showError(message) {
    const box = document.getElementById('error');
    box.hidden = message === null;
    put(box, message || '');
  }

  /** x axis in UTC (buckets are UTC hours), whatever the browser's zone. */
  const utc = (ts) => uPlot.tzDate(new Date(ts * 1e3), 'Etc/UTC');
  const iso = (s) => new Date(s * 1000).toISOString();

  /**
   * A 24-hour UTC time axis for uPlot (its default labels are 12-hour, "3pm"): seconds when
   * ticks are seconds apart, hours:minutes, and the date where a day starts or ticks are days apart.
   */
  function utcAxis(extra) {
    return {
      ...extra,
      values: (u, splits, axis, space, incr) => splits.map((s, i) => {
        const t = iso(s);
        if (incr >= 86400) return t.slice(5, 10);
        const hm = incr < 1 ? t.slice(11, 21) : incr < 60 ? t.slice(11, 19) : t.slice(11, 16);
        return i === 0 || t.slice(11, 19) === '00:00:00' ? `${t.slice(5, 10)} ${hm}` : hm;
      }),
    };
  }
  /** The x series' legend: the full UTC time of the point under the cursor. */
  const utcSeries = (label) => ({ label, value: (u, v) => (v === null || v === undefined ? '-' : `${iso(v).slice(0, 19).replace('T', ' ')} UTC`) });

  /** Resize `chart` with its box (the panel changes width with the window or the layout). */
  function followWidth(chart, box, height) {
    const ro = new ResizeObserver(() => {
      const w = Math.max(300, Math.floor(box.clientWidth));
      if (Math.abs(w - chart.width) >= 2) chart.setSize({ width: w, height });
    });
    ro.observe(box);
    return ro;
  }

  return { el, fmt, getJson, capacityColor, fill, put, attr, syncTable, showError, utc, utcAxis, utcSeries, followWidth };
})();
