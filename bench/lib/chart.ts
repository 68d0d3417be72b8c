/**
 * A hand-written SVG of a bench run, written next to its JSON file (no dependency):
 *   1. throughput vs latency: one point per load level of the `throughput-vs-latency` rows,
 *      x = achieved rate, y = p99 latency (log scale), labelled with the level. Rate-limited
 *      rows use the latency from the intended emit time (coordinated omission corrected);
 *      the flat-out `max` row has only the runtime's complete latency and is drawn hollow.
 *      p50 is drawn as small grey marks under each point.
 *   2. the topology rows' rates relative to `limit` (absolute rates when `limit` did not run),
 *      leaving out rate-limited rows (their rate is the offered load, not a capacity).
 * A panel with no rows in this run is left out; with neither, no file is written.
 */
import type { ChildReport, ScenarioResult } from './report.js';

const W = 760;
const FONT = 'font-family="system-ui, sans-serif" font-size="11"';

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function fmtRate(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} k`;
  return n.toFixed(0);
}

function fmtUs(us: number): string {
  if (us >= 1e6) return `${(us / 1e6).toFixed(us >= 1e7 ? 0 : 1)} s`;
  if (us >= 1e3) return `${(us / 1e3).toFixed(us >= 1e4 ? 0 : 1)} ms`;
  return `${us.toFixed(us >= 10 ? 0 : 1)} us`;
}

/** A step of 1, 2 or 5 x 10^k giving about `n` intervals over [0, max]. */
function niceStep(max: number, n: number): number {
  const raw = max / n;
  const p = 10 ** Math.floor(Math.log10(raw));
  const m = raw / p;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

interface Point { x: number; p99: number; p50: number; label: string; hollow: boolean }

function latencyPanel(rows: ScenarioResult[], top: number): { svg: string; height: number } | null {
  const pts: Point[] = [];
  for (const r of rows) {
    if (r.tuplesPerSec === undefined || !r.latency) continue;
    pts.push({
      x: r.tuplesPerSec,
      p99: Math.max(r.latency.p99us, 1),
      p50: Math.max(r.latency.p50us, 1),
      label: String(r.config['variant'] ?? ''),
      hollow: r.latency.kind !== 'intended',
    });
  }
  if (pts.length === 0) return null;
  const H = 340;
  const m = { l: 70, r: 30, t: 40, b: 50 };
  const pw = W - m.l - m.r;
  const ph = H - m.t - m.b;
  const xStep = niceStep(Math.max(...pts.map((p) => p.x)) * 1.1, 5);
  const xMax = Math.ceil((Math.max(...pts.map((p) => p.x)) * 1.1) / xStep) * xStep;
  const ys = pts.flatMap((p) => [p.p50, p.p99]);
  const lo = Math.floor(Math.log10(Math.min(...ys)));
  const hi = Math.max(lo + 1, Math.ceil(Math.log10(Math.max(...ys))));
  const X = (v: number): number => m.l + (v / xMax) * pw;
  const Y = (us: number): number => m.t + ph - ((Math.log10(us) - lo) / (hi - lo)) * ph;
  const o: string[] = [`<g transform="translate(0,${top})">`];
  o.push(`<text x="${m.l}" y="22" font-size="14" font-weight="bold">throughput vs latency (p99, log scale)</text>`);
  o.push(`<rect x="${m.l}" y="${m.t}" width="${pw}" height="${ph}" fill="none" stroke="#999"/>`);
  for (let v = 0; v <= xMax + xStep / 2; v += xStep) {
    o.push(`<line x1="${X(v)}" y1="${m.t}" x2="${X(v)}" y2="${m.t + ph}" stroke="#eee"/>`);
    o.push(`<text x="${X(v)}" y="${m.t + ph + 15}" text-anchor="middle">${fmtRate(v)}</text>`);
  }
  for (let k = lo; k <= hi; k++) {
    const y = Y(10 ** k);
    o.push(`<line x1="${m.l}" y1="${y}" x2="${m.l + pw}" y2="${y}" stroke="#eee"/>`);
    o.push(`<text x="${m.l - 6}" y="${y + 4}" text-anchor="end">${fmtUs(10 ** k)}</text>`);
  }
  o.push(`<text x="${m.l}" y="${m.t + ph + 35}">achieved rate (tuples/s)</text>`);
  o.push(`<text transform="translate(16,${m.t + ph / 2}) rotate(-90)" text-anchor="middle">latency</text>`);
  const line = pts.filter((p) => !p.hollow).sort((a, b) => a.x - b.x);
  if (line.length > 1) {
    o.push(`<polyline fill="none" stroke="#3366cc" stroke-width="1.5" points="${line.map((p) => `${X(p.x).toFixed(1)},${Y(p.p99).toFixed(1)}`).join(' ')}"/>`);
  }
  for (const p of pts) {
    const x = X(p.x);
    o.push(`<line x1="${x - 5}" y1="${Y(p.p50)}" x2="${x + 5}" y2="${Y(p.p50)}" stroke="#888" stroke-width="2"/>`);
    o.push(`<circle cx="${x}" cy="${Y(p.p99)}" r="5" fill="${p.hollow ? 'white' : '#3366cc'}" stroke="#3366cc" stroke-width="2"/>`);
    // Labels of points on the right half hang to the left so they stay inside the chart.
    const right = x > m.l + pw * 0.6;
    o.push(`<text x="${right ? x - 8 : x + 8}" y="${Y(p.p99) - 6}"${right ? ' text-anchor="end"' : ''}>${esc(`${p.label}: ${fmtRate(p.x)}/s, p99 ${fmtUs(p.p99)}`)}</text>`);
  }
  o.push(`<text x="${m.l + pw}" y="${m.t + ph + 35}" text-anchor="end" fill="#555">filled: from the intended emit time; hollow: complete latency (flat out); grey dash: p50</text>`);
  o.push('</g>');
  return { svg: o.join('\n'), height: H };
}

function barsPanel(rows: ScenarioResult[], limitRate: number | undefined, top: number): { svg: string; height: number } | null {
  // Rate-limited rows (config.rate) show offered load, not capacity: they are in the other panel.
  const bars = rows.filter((r) => r.tuplesPerSec !== undefined && r.config['rate'] === undefined).map((r) => {
    const cfg = [r.config['variant'], r.config['threads'] === undefined ? undefined : `threads=${String(r.config['threads'])}`]
      .filter((v) => v !== undefined).map(String).join(' ');
    return { label: cfg ? `${r.name} ${cfg}` : r.name, rate: r.tuplesPerSec!, ratio: limitRate ? r.tuplesPerSec! / limitRate : undefined };
  });
  if (bars.length === 0) return null;
  const rowH = 20;
  const m = { l: 290, r: 150, t: 40, b: 20 };
  const H = m.t + bars.length * rowH + m.b;
  const pw = W - m.l - m.r;
  const value = (b: (typeof bars)[number]): number => b.ratio ?? b.rate;
  const max = Math.max(...bars.map(value), limitRate ? 1 : 0);
  const o: string[] = [`<g transform="translate(0,${top})">`];
  o.push(`<text x="10" y="22" font-size="14" font-weight="bold">${limitRate ? `topology rows relative to limit (${esc(fmtRate(limitRate))}/s = 1.0x)` : 'topology rows (tuples or events/s; limit did not run)'}</text>`);
  bars.forEach((b, i) => {
    const y = m.t + i * rowH;
    const w = Math.max(1, (value(b) / max) * pw);
    o.push(`<text x="${m.l - 6}" y="${y + 13}" text-anchor="end">${esc(b.label)}</text>`);
    o.push(`<rect x="${m.l}" y="${y + 3}" width="${w.toFixed(1)}" height="${rowH - 6}" fill="#3366cc"/>`);
    const text = b.ratio !== undefined ? `${b.ratio.toFixed(3)}x (${fmtRate(b.rate)}/s)` : `${fmtRate(b.rate)}/s`;
    o.push(`<text x="${m.l + w + 5}" y="${y + 13}">${esc(text)}</text>`);
  });
  if (limitRate) {
    const x = m.l + pw / max;
    o.push(`<line x1="${x}" y1="${m.t - 4}" x2="${x}" y2="${m.t + bars.length * rowH}" stroke="#cc3333" stroke-dasharray="4 3"/>`);
  }
  o.push('</g>');
  return { svg: o.join('\n'), height: H };
}

/** The SVG text for a run, or null when it has nothing to chart. */
export function renderChart(reports: ChildReport[], topologyScenarios: ReadonlySet<string>, limitRate: number | undefined, title: string): string | null {
  const results = reports.flatMap((r) => r.results);
  const panels: Array<{ svg: string; height: number }> = [];
  let top = 30;
  const lat = latencyPanel(results.filter((r) => r.name === 'throughput-vs-latency'), top);
  if (lat) {
    panels.push(lat);
    top += lat.height;
  }
  const bars = barsPanel(reports.filter((r) => topologyScenarios.has(r.scenario)).flatMap((r) => r.results), limitRate, top);
  if (bars) {
    panels.push(bars);
    top += bars.height;
  }
  if (panels.length === 0) return null;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${top}" viewBox="0 0 ${W} ${top}" ${FONT}>`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="18" fill="#555">${esc(title)}</text>`,
    ...panels.map((p) => p.svg),
    '</svg>',
    '',
  ].join('\n');
}
