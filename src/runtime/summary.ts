/**
 * The supervisor's view of a run's figures: latest snapshot per thread plus the totals of
 * threads that died, rolled up per component, and the `--json` summary contract.
 */
import type hdr from 'hdr-histogram-js';
import { ACKER_ID } from '../topology/acker-protocol.js';
import { addCounters, buildHistogram, decodeHistogram, rollUp, type ComponentTotals, type TaskCounters, type WorkerMetrics } from './metrics.js';

/**
 * `completed-with-failures`: every spout ran out of input, but some trees failed and were never
 * completed (dead-lettered, or failed behind a spout that does not replay): not a clean success.
 */
export type RunStatus = 'completed' | 'completed-with-failures' | 'stopped' | 'incomplete' | 'failed';

export interface RunSummary {
  topology: string;
  workers: number;
  elapsedMs: number;
  status: RunStatus;
  /**
   * Per spout. `deadLettered`: messages the spout gave up on; `dropped`: failed trees not
   * emitted again (at the end of a run: failed behind a spout that does not replay).
   */
  spouts: Record<string, { emitted: number; acked: number; failed: number; replayed: number; deadLettered: number; dropped: number; errors: number }>;
  bolts: Record<string, { executed: number; emitted: number; acked: number; failed: number; errors: number; executeLatencyMs: number | null }>;
  completeLatencyMs: { p50: number; p99: number; p999: number; max: number; count: number } | null;
  throughput: { ackedPerSec: number; executedPerSec: number };
  /** Per worker thread (latest snapshot): its tasks, memory and queued tuples. */
  threads: Array<{ worker: number; tasks: string[]; rssMB: number; heapUsedMB: number; queueDepth: number; restarts: number }>;
  /** Cross-thread traffic: batches posted and the tuples in them (threads that died not included). */
  transport: { frames: number; tuples: number; tuplesPerFrame: number };
  pending: number;
  restarts: number;
  chaosKills: number;
  error: string | null;
  lastErrors: Record<string, string>;
}

export class MetricsBook {
  private readonly latest: Array<WorkerMetrics | undefined> = [];
  /** Counters of threads that died, by task id, so totals survive restarts. */
  private readonly retired = new Map<number, TaskCounters>();
  /** Complete-latency histograms of threads that died, by spout component. */
  private readonly retiredLatency = new Map<string, string[]>();
  /** Times each thread died (and was replaced), for the dashboard's thread table. */
  private readonly deaths: number[] = [];

  update(m: WorkerMetrics): void {
    this.latest[m.workerIndex] = m;
  }

  /** A thread died: fold its last snapshot into the retired totals. */
  retire(w: number): void {
    this.deaths[w] = (this.deaths[w] ?? 0) + 1;
    const m = this.latest[w];
    if (!m) return;
    for (const t of m.tasks) {
      const r = this.retired.get(t.taskId);
      if (r) addCounters(r, t);
      else this.retired.set(t.taskId, { ...t });
      // A dead spout's failed-and-not-yet-replayed messages are its replacement's to emit
      // again (a file spout reads its input anew): not counted as never completed.
      this.retired.get(t.taskId)!.dropped = 0;
    }
    for (const [component, list] of Object.entries(m.completeLatency)) {
      const kept = this.retiredLatency.get(component);
      if (kept) kept.push(...list);
      else this.retiredLatency.set(component, [...list]);
    }
    this.latest[w] = undefined;
  }

  tasks(): TaskCounters[] {
    const out = new Map<number, TaskCounters>();
    for (const [id, t] of this.retired) out.set(id, { ...t });
    for (const m of this.latest) {
      if (!m) continue;
      for (const t of m.tasks) {
        const prev = out.get(t.taskId);
        if (prev) addCounters(prev, t);
        else out.set(t.taskId, { ...t });
      }
    }
    return [...out.values()];
  }

  components(): Map<string, ComponentTotals> {
    return rollUp(this.tasks());
  }

  workers(): WorkerMetrics[] {
    return this.latest.filter((m): m is WorkerMetrics => m !== undefined);
  }

  /** Deaths of thread `w` so far. */
  deathsOf(w: number): number {
    return this.deaths[w] ?? 0;
  }

  /** Complete latency of every spout, or of one spout component when `component` is given. */
  completeLatency(component?: string): hdr.Histogram | null {
    const all: string[] = [];
    for (const [c, list] of this.retiredLatency) if (component === undefined || c === component) all.push(...list);
    for (const m of this.latest) {
      if (!m) continue;
      for (const [c, list] of Object.entries(m.completeLatency)) if (component === undefined || c === component) all.push(...list);
    }
    if (all.length === 0) return null;
    const h = buildHistogram();
    for (const s of all) h.add(decodeHistogram(s));
    return h;
  }
}

export function buildSummary(
  book: MetricsBook,
  base: Pick<RunSummary, 'topology' | 'workers' | 'elapsedMs' | 'status' | 'pending' | 'restarts' | 'chaosKills' | 'error'>,
  tracking: boolean,
): RunSummary {
  const spouts: RunSummary['spouts'] = {};
  const bolts: RunSummary['bolts'] = {};
  const lastErrors: Record<string, string> = {};
  let acked = 0;
  let executed = 0;
  for (const [id, c] of book.components()) {
    if (c.lastError) lastErrors[id] = c.lastError;
    if (id === ACKER_ID) continue;
    if (c.kind === 'spout') {
      spouts[id] = { emitted: c.emitted, acked: c.acked, failed: c.failed, replayed: c.replayed, deadLettered: c.deadLettered, dropped: c.dropped, errors: c.errors };
      acked += c.acked;
    } else {
      bolts[id] = { executed: c.executed, emitted: c.emitted, acked: c.acked, failed: c.failed, errors: c.errors,
        executeLatencyMs: c.executeLatencyMs === null ? null : round3(c.executeLatencyMs) };
      executed += c.executed;
    }
  }
  const h = tracking ? book.completeLatency() : null;
  const ms = (us: number): number => round3(us / 1000);
  const secs = Math.max(base.elapsedMs, 1) / 1000;
  return {
    ...base,
    spouts,
    bolts,
    completeLatencyMs: h
      ? { p50: ms(h.getValueAtPercentile(50)), p99: ms(h.getValueAtPercentile(99)), p999: ms(h.getValueAtPercentile(99.9)), max: ms(h.maxValue), count: h.totalCount }
      : null,
    throughput: { ackedPerSec: Math.round(acked / secs), executedPerSec: Math.round(executed / secs) },
    transport: transportTotals(book),
    threads: book.workers().map((m) => ({
      worker: m.workerIndex,
      tasks: m.tasks.map((t) => `${t.component}:${t.taskId}`),
      rssMB: Math.round(m.rssBytes / 1048576),
      heapUsedMB: Math.round(m.heapUsedBytes / 1048576),
      queueDepth: m.queueDepth,
      restarts: book.deathsOf(m.workerIndex),
    })),
    lastErrors,
  };
}

/** Trees that failed and will never complete: what turns `completed` into `completed-with-failures`. */
export function neverCompleted(s: Pick<RunSummary, 'spouts'>): number {
  let n = 0;
  for (const x of Object.values(s.spouts)) n += x.deadLettered + x.dropped;
  return n;
}

function transportTotals(book: MetricsBook): RunSummary['transport'] {
  let frames = 0;
  let tuples = 0;
  for (const m of book.workers()) {
    frames += m.framesSent;
    tuples += m.tuplesSent;
  }
  return { frames, tuples, tuplesPerFrame: frames === 0 ? 0 : Math.round(tuples / frames) };
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
