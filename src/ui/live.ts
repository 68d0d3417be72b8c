/**
 * Live figures of a run for the dashboard, /api/topology and /metrics: sampled once a second
 * from what the supervisor already keeps (the MetricsBook, shared-memory counters, the error
 * log), so however many pages are open the workers see no extra traffic. Rates and capacity
 * are taken over a sliding window of samples, as Storm UI's capacity is over its window.
 * The shapes are in live-types.ts; what counts as trouble is decided in trouble.ts.
 */
import type { RunSummary } from '../runtime/summary.js';
import { buildHistogram, type TaskCounters } from '../runtime/metrics.js';
import type hdr from 'hdr-histogram-js';
import type { ComponentFigures, HistoryPoint, LiveSnapshot, RunSource, StoreProbe, ThreadFigures } from './live-types.js';
import { backpressureOf, healthOf, statusReason } from './trouble.js';

export type { Backpressure, ComponentFigures, Health, HistoryPoint, LiveSnapshot, RunSource, StoreProbe, ThreadFigures } from './live-types.js';

interface Sample {
  readonly t: number;
  readonly tasks: ReadonlyMap<number, TaskCounters>;
}

const WINDOW = 5;
const HISTORY = 600;
/** Errors sent with each snapshot: the page's history table; the log keeps more. */
const RECENT_ERRORS = 50;

const round = (x: number, d = 3): number => Math.round(x * 10 ** d) / 10 ** d;

export class LiveFigures {
  private readonly samples: Sample[] = [];
  /** Cumulative complete-latency histograms of the window's samples (all spouts). */
  private readonly latency: hdr.Histogram[] = [];
  private readonly points: HistoryPoint[] = [];
  private snap: LiveSnapshot;
  private final: RunSummary | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly source: RunSource, private readonly intervalMs = 1000, private readonly stores: readonly StoreProbe[] = []) {
    this.snap = this.sample();
  }

  /** Sample every interval until `finish` (the timer does not keep the process alive). */
  start(): this {
    this.timer ??= setInterval(() => (this.snap = this.sample()), this.intervalMs).unref();
    return this;
  }

  /** The run ended: one last sample with its final summary, then no more timer. */
  finish(summary: RunSummary): void {
    this.final = summary;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.snap = this.sample();
  }

  snapshot(): LiveSnapshot {
    // A store's state can change after the run ended (the dashboard lingers): asked at read time.
    if (this.final && this.stores.length > 0) return { ...this.snap, health: healthOf(false, [], this.stores, WINDOW) };
    return this.snap;
  }

  history(): readonly HistoryPoint[] {
    return this.points;
  }

  private sample(now = Date.now()): LiveSnapshot {
    const { plan, assignment, book, shared, config } = this.source;
    const s = this.final ?? this.source.summary();
    const tasks = new Map(book.tasks().map((t) => [t.taskId, t]));
    this.samples.push({ t: now, tasks });
    if (this.samples.length > WINDOW + 1) this.samples.shift();
    const first = this.samples[0]!;
    const dt = Math.max(now - first.t, 1);
    const windowS = Math.max(1, Math.round(dt / 1000));
    const perSec = (d: number): number => (now === first.t ? 0 : round(Math.max(0, d) / (dt / 1000), 1));
    const threads: ThreadFigures[] = s.threads.map((th) => {
      let inbound = 0;
      for (let i = 0; i < shared.workers; i++) if (i !== th.worker) inbound += Math.max(0, shared.inflight(i, th.worker));
      return { ...th, inboundFrames: inbound, congested: Atomics.load(shared.congestion, th.worker) !== 0 };
    });
    const byWorker = new Map(threads.map((t) => [t.worker, t]));

    const components: ComponentFigures[] = [];
    let emitted = 0, acked = 0, failed = 0, replayed = 0, errors = 0, ackedDelta = 0, emittedDelta = 0, failedDelta = 0;
    for (const c of plan.components) {
      if (c.system) continue;
      const ids = assignment.componentTasks[c.id] ?? [];
      const sum = { emitted: 0, executed: 0, acked: 0, failed: 0, errors: 0, replayed: 0, execMs: 0, execN: 0 };
      const delta = { emitted: 0, executed: 0, acked: 0, failed: 0, errors: 0 };
      let capacity: number | null = null;
      let lastError: string | null = null;
      let pending = 0;
      for (const id of ids) {
        const t = tasks.get(id);
        const old = first.tasks.get(id);
        pending += Atomics.load(shared.spoutPending, id);
        if (!t) continue;
        sum.emitted += t.emitted; sum.executed += t.executed; sum.acked += t.acked; sum.failed += t.failed;
        sum.errors += t.errors; sum.replayed += t.replayed; sum.execMs += t.execMsSum; sum.execN += t.execSamples;
        if (t.lastError) lastError = t.lastError;
        delta.emitted += t.emitted - (old?.emitted ?? 0);
        delta.executed += t.executed - (old?.executed ?? 0);
        delta.acked += t.acked - (old?.acked ?? 0);
        delta.failed += t.failed - (old?.failed ?? 0);
        delta.errors += t.errors - (old?.errors ?? 0);
        if (c.kind === 'bolt' && now !== first.t) capacity = Math.max(capacity ?? 0, Math.max(0, t.busyMs - (old?.busyMs ?? 0)) / dt);
      }
      const h = c.kind === 'spout' && config.ackers > 0 ? book.completeLatency(c.id) : null;
      components.push({
        id: c.id, kind: c.kind, parallelism: c.parallelism,
        emitted: sum.emitted, executed: sum.executed, acked: sum.acked, failed: sum.failed, errors: sum.errors, replayed: sum.replayed,
        lastError, executeLatencyMs: sum.execN > 0 ? round(sum.execMs / sum.execN) : null,
        executeSamples: { sumMs: round(sum.execMs), count: sum.execN },
        capacity: capacity === null ? null : round(capacity),
        emittedPerSec: perSec(delta.emitted), executedPerSec: perSec(delta.executed), ackedPerSec: perSec(delta.acked),
        failedPerSec: perSec(delta.failed), errorsPerSec: perSec(delta.errors), recentErrors: Math.max(0, delta.errors),
        backpressure: backpressureOf(c.kind, ids, assignment, shared, byWorker, config.maxSpoutPending),
        pending: c.kind === 'spout' ? pending : null,
        completeLatencyMs: h && h.totalCount > 0 ? {
          p50: ms(h.getValueAtPercentile(50)), p90: ms(h.getValueAtPercentile(90)), p99: ms(h.getValueAtPercentile(99)),
          p999: ms(h.getValueAtPercentile(99.9)), sumMs: round((h.mean * h.totalCount) / 1000), count: h.totalCount,
        } : null,
      });
      errors += sum.errors;
      if (c.kind === 'spout') {
        emitted += sum.emitted; acked += sum.acked; failed += sum.failed; replayed += sum.replayed;
        ackedDelta += delta.acked; emittedDelta += delta.emitted; failedDelta += delta.failed;
      }
    }
    const ackedPerSec = perSec(ackedDelta);
    const failedPerSec = perSec(failedDelta);
    // Points before the spouts were activated would only draw a flat line of zeros.
    if (s.elapsedMs > 0) this.points.push({ t: now, ackedPerSec, emittedPerSec: perSec(emittedDelta), failedPerSec, p99Ms: this.windowP99(config.ackers > 0) });
    if (this.points.length > HISTORY) this.points.shift();
    const status: string = this.final ? this.final.status : 'running';
    return {
      topology: plan.name, status, statusReason: this.final ? statusReason(this.final, status) : null,
      health: healthOf(!this.final, components, this.stores, windowS),
      at: now, elapsedMs: s.elapsedMs,
      workers: config.workers, ackers: config.ackers, pending: s.pending, restarts: s.restarts, chaosKills: s.chaosKills, error: s.error,
      // Once the run ended, its average rate says more than the last seconds' (often its tail).
      totals: { emitted, acked, failed, replayed, errors, ackedPerSec: this.final ? this.final.throughput.ackedPerSec : ackedPerSec, failedPerSec },
      completeLatencyMs: s.completeLatencyMs, components, threads,
      recentErrors: (this.source.errors?.recent() ?? []).slice(-RECENT_ERRORS),
    };
  }

  /**
   * p99 of the trees completed since the oldest sample of the window: the cumulative
   * histogram now minus the one then (counts only grow: a dead thread's last snapshot is
   * kept in the book), or null when none completed.
   */
  private windowP99(tracking: boolean): number | null {
    if (!tracking) return null;
    const now = this.source.book.completeLatency();
    if (!now) return null;
    this.latency.push(now);
    if (this.latency.length > WINDOW + 1) this.latency.shift();
    const then = this.latency[0]!;
    if (then === now) return now.totalCount > 0 ? round(now.getValueAtPercentile(99) / 1000) : null;
    try {
      const w = buildHistogram();
      w.add(now);
      w.subtract(then);
      return w.totalCount > 0 ? round(w.getValueAtPercentile(99) / 1000) : null;
    } catch {
      return null; // a count went down (should not happen): no point rather than a wrong one
    }
  }
}

/** Microseconds (HDR's unit) to milliseconds. */
const ms = (us: number): number => round(us / 1000);
