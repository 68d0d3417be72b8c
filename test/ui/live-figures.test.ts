/**
 * The live figures over a real run on worker threads with chaos kills: restarts counted per
 * thread (the killed one, not the spout's), complete latency per spout equal to the run's,
 * and after the end the figures are the summary's.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runTopology } from '../../src/runtime/local.js';
import { LiveFigures } from '../../src/ui/live.js';
import { ROOT } from '../cli/run-cli.js';

describe('LiveFigures', () => {
  it('counts restarts per thread and keeps per-spout complete latency across thread deaths', async () => {
    const run = await runTopology(join(ROOT, 'test', 'ui', 'fixtures', 'steady.ts'), { overrides: { workers: 2 }, chaosKillEveryMs: 700 });
    const live = new LiveFigures(run.supervisor, 200).start();
    const until = Date.now() + 60_000;
    while (live.snapshot().restarts < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    const summary = await run.stop();
    live.finish(summary);
    const s = live.snapshot();
    // 'incomplete' when a replay was still in flight at the end of the drain: not the point here.
    expect(s.status).toBe(summary.status);
    expect(summary.restarts).toBeGreaterThanOrEqual(2);
    // The spout's thread (worker 0) is never a chaos victim; worker 1 took every kill.
    const byWorker = new Map(s.threads.map((t) => [t.worker, t.restarts]));
    expect(byWorker.get(0)).toBe(0);
    expect(byWorker.get(1)).toBe(summary.restarts);
    const ticker = s.components.find((c) => c.id === 'ticker')!;
    expect(ticker.acked).toBe(summary.spouts['ticker']!.acked);
    expect(ticker.completeLatencyMs!.count).toBe(summary.completeLatencyMs!.count);
    expect(ticker.completeLatencyMs!.p50).toBeLessThanOrEqual(ticker.completeLatencyMs!.p99);
    expect(s.components.find((c) => c.id === 'tally')!.completeLatencyMs).toBeNull();
    expect(s.pending).toBe(summary.pending);
    // The chart's p99 is over the window: present while trees complete, within the run's range.
    const p99s = live.history().map((p) => p.p99Ms).filter((x): x is number => x !== null);
    expect(p99s.length).toBeGreaterThan(0);
    // (HDR reports a value bucket's upper end: allow its 0.1% width.)
    for (const p of p99s) expect(p).toBeLessThanOrEqual(summary.completeLatencyMs!.max * 1.002 + 0.001);
  }, 120_000);
});
