// Helpers shared by the dashboard pages. Every value from the server (component ids, URLs
// read from a log) goes into the page as text, never as HTML: a URL in an access log is
// whatever a client sent.
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

  /** Replace the children of the element with id `id`. */
  function fill(id, ...children) {
    const e = document.getElementById(id);
    e.replaceChildren(...children.flat());
    return e;
  }

  /** Show `message` in the page's error box, or hide it with null. */
  function showError(message) {
    const box = document.getElementById('error');
    box.hidden = message === null;
    box.textContent = message || '';
  }

  /** x axis in UTC (buckets are UTC hours), whatever the browser's zone. */
  const utc = (ts) => uPlot.tzDate(new Date(ts * 1e3), 'Etc/UTC');

  return { el, fmt, getJson, capacityColor, fill, showError, utc };
})();
