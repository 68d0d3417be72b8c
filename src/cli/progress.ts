/**
 * The progress line `topo run` prints on stderr every --metrics-interval: rates since the
 * previous line, pending trees, failures, replays, errors and restarts.
 */
import type { RunSummary } from '../runtime/summary.js';

export function fmt(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  return String(Math.round(n));
}

export class ProgressLine {
  private prev: RunSummary | null = null;
  private prevAt = 0;

  line(s: RunSummary, now = Date.now()): string {
    const dt = this.prev ? (now - this.prevAt) / 1000 : s.elapsedMs / 1000;
    const spouts = Object.values(s.spouts);
    const acked = spouts.reduce((a, x) => a + x.acked, 0);
    const emitted = spouts.reduce((a, x) => a + x.emitted, 0);
    const failed = spouts.reduce((a, x) => a + x.failed, 0);
    const replayed = spouts.reduce((a, x) => a + x.replayed, 0);
    const dead = spouts.reduce((a, x) => a + x.deadLettered, 0);
    const prevSpouts = this.prev ? Object.values(this.prev.spouts) : [];
    const prevAcked = prevSpouts.reduce((a, x) => a + x.acked, 0);
    const prevEmitted = prevSpouts.reduce((a, x) => a + x.emitted, 0);
    const errors = Object.values(s.bolts).reduce((a, x) => a + x.errors, 0) + spouts.reduce((a, x) => a + x.errors, 0);
    const rate = (cur: number, prev: number): string => `${fmt(Math.max(0, cur - prev) / Math.max(dt, 0.001))}/s`;
    const bolts = Object.entries(s.bolts)
      .map(([id, b]) => `${id} ${rate(b.executed, this.prev?.bolts[id]?.executed ?? 0)}`)
      .join(' ');
    const lat = s.completeLatencyMs ? ` p99 ${s.completeLatencyMs.p99}ms` : '';
    this.prev = s;
    this.prevAt = now;
    return (
      `[${s.topology}] ${(s.elapsedMs / 1000).toFixed(0)}s emitted ${fmt(emitted)} (${rate(emitted, prevEmitted)}) ` +
      `acked ${fmt(acked)} (${rate(acked, prevAcked)})${lat} pending ${s.pending} failed ${failed} replayed ${replayed}${dead ? ` dead-lettered ${dead}` : ''} ` +
      `errors ${errors}${s.restarts ? ` restarts ${s.restarts}` : ''} | ${bolts}`
    );
  }
}
