/**
 * Live figures of a run for the dashboard, /api/topology and /metrics: sampled once a second
 * from what the supervisor already keeps (the MetricsBook, shared-memory counters), so
 * however many pages are open the workers see no extra traffic. Rates and capacity are
 * taken over a sliding window of samples, as Storm UI's capacity is over its window.
 */
import type { Assignment } from '../runtime/messages.js';
import type { RuntimeConfig } from '../runtime/config.js';
import type { SharedState } from '../runtime/shared-state.js';
import type { MetricsBook, RunStatus, RunSummary } from '../runtime/summary.js';
import { buildHistogram, type TaskCounters } from '../runtime/metrics.js';
import type hdr from 'hdr-histogram-js';
import type { Plan } from '../topology/plan.js';

/** What the dashboard reads from a running Supervisor (structural, so tests can hand in their own). */
export interface RunSource {
  readonly plan: Plan;
  readonly assignment: Assignment;
  readonly config: RuntimeConfig;
  readonly book: MetricsBook;
  readonly shared: SharedState;
  summary(): RunSummary;
}

export interface ComponentFigures {
  readonly id: string;
  readonly kind: 'spout' | 'bolt';
  readonly parallelism: number;
  readonly emitted: number;
  readonly executed: number;
  readonly acked: number;
  readonly failed: number;
  readonly errors: number;
  readonly replayed: number;
  readonly lastError: string | null;
  readonly executeLatencyMs: number | null;
  /** Busiest task's busy time / wall time over the window (bolts; spouts have no execute). */
  readonly capacity: number | null;
  readonly emittedPerSec: number;
  readonly executedPerSec: number;
  readonly ackedPerSec: number;
  /** Spouts only: trees in flight and complete latency of the trees they rooted. */
  readonly pending: number | null;
  readonly completeLatencyMs: { p50: number; p99: number; count: number } | null;
}

export interface ThreadFigures {
  readonly worker: number;
  readonly tasks: readonly string[];
  readonly rssMB: number;
  readonly heapUsedMB: number;
  /** Tuples queued in the thread (local queue plus its outbox). */
  readonly queueDepth: number;
  /** Batches other threads posted to it that it has not processed yet. */
  readonly inboundFrames: number;
  readonly congested: boolean;
  readonly restarts: number;
}

export interface LiveSnapshot {
  readonly topology: string;
  readonly status: RunStatus | 'running';
  readonly at: number;
  readonly elapsedMs: number;
  readonly workers: number;
  readonly ackers: number;
  readonly pending: number;
  readonly restarts: number;
  readonly chaosKills: number;
  readonly error: string | null;
  readonly totals: { emitted: number; acked: number; failed: number; replayed: number; errors: number; ackedPerSec: number };
  readonly completeLatencyMs: RunSummary['completeLatencyMs'];
  readonly components: readonly ComponentFigures[];
  readonly threads: readonly ThreadFigures[];
}

/** One point of the throughput chart. */
export interface HistoryPoint {
  readonly t: number;
  readonly ackedPerSec: number;
  readonly emittedPerSec: number;
  /** Complete latency p99 of the trees completed in the window (not since the start: a live chart of a cumulative p99 flattens within a minute). */
  readonly p99Ms: number | null;
}

interface Sample {
  readonly t: number;
  readonly tasks: ReadonlyMap<number, TaskCounters>;
}

const WINDOW = 5;
const HISTORY = 600;

const round = (x: number, d = 3): number => Math.round(x * 10 ** d) / 10 ** d;

export class LiveFigures {
  private readonly samples: Sample[] = [];
  /** Cumulative complete-latency histograms of the window's samples (all spouts). */
  private readonly latency: hdr.Histogram[] = [];
  private readonly points: HistoryPoint[] = [];
  private snap: LiveSnapshot;
  private final: RunSummary | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly source: RunSource, private readonly intervalMs = 1000) {
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
    const perSec = (d: number): number => (now === first.t ? 0 : round(Math.max(0, d) / (dt / 1000), 1));

    const components: ComponentFigures[] = [];
    let emitted = 0, acked = 0, failed = 0, replayed = 0, errors = 0, ackedDelta = 0, emittedDelta = 0;
    for (const c of plan.components) {
      if (c.system) continue;
      const ids = assignment.componentTasks[c.id] ?? [];
      const sum = { emitted: 0, executed: 0, acked: 0, failed: 0, errors: 0, replayed: 0, execMs: 0, execN: 0 };
      const delta = { emitted: 0, executed: 0, acked: 0 };
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
        if (c.kind === 'bolt' && now !== first.t) capacity = Math.max(capacity ?? 0, Math.max(0, t.busyMs - (old?.busyMs ?? 0)) / dt);
      }
      const h = c.kind === 'spout' && config.ackers > 0 ? book.completeLatency(c.id) : null;
      components.push({
        id: c.id, kind: c.kind, parallelism: c.parallelism,
        emitted: sum.emitted, executed: sum.executed, acked: sum.acked, failed: sum.failed, errors: sum.errors, replayed: sum.replayed,
        lastError, executeLatencyMs: sum.execN > 0 ? round(sum.execMs / sum.execN) : null,
        capacity: capacity === null ? null : round(capacity),
        emittedPerSec: perSec(delta.emitted), executedPerSec: perSec(delta.executed), ackedPerSec: perSec(delta.acked),
        pending: c.kind === 'spout' ? pending : null,
        completeLatencyMs: h ? { p50: round(h.getValueAtPercentile(50) / 1000), p99: round(h.getValueAtPercentile(99) / 1000), count: h.totalCount } : null,
      });
      errors += sum.errors;
      if (c.kind === 'spout') {
        emitted += sum.emitted; acked += sum.acked; failed += sum.failed; replayed += sum.replayed;
        ackedDelta += delta.acked; emittedDelta += delta.emitted;
      }
    }
    const threads: ThreadFigures[] = s.threads.map((th) => {
      let inbound = 0;
      for (let i = 0; i < shared.workers; i++) if (i !== th.worker) inbound += Math.max(0, shared.inflight(i, th.worker));
      return { ...th, inboundFrames: inbound, congested: Atomics.load(shared.congestion, th.worker) !== 0 };
    });
    const ackedPerSec = perSec(ackedDelta);
    // Points before the spouts were activated would only draw a flat line of zeros.
    if (s.elapsedMs > 0) this.points.push({ t: now, ackedPerSec, emittedPerSec: perSec(emittedDelta), p99Ms: this.windowP99(config.ackers > 0) });
    if (this.points.length > HISTORY) this.points.shift();
    return {
      topology: plan.name, status: this.final ? this.final.status : 'running', at: now, elapsedMs: s.elapsedMs,
      workers: config.workers, ackers: config.ackers, pending: s.pending, restarts: s.restarts, chaosKills: s.chaosKills, error: s.error,
      // Once the run ended, its average rate says more than the last seconds' (often its tail).
      totals: { emitted, acked, failed, replayed, errors, ackedPerSec: this.final ? this.final.throughput.ackedPerSec : ackedPerSec },
      completeLatencyMs: s.completeLatencyMs, components, threads,
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
