/**
 * Counters kept per task inside a worker, the snapshot a worker posts to the supervisor,
 * and the supervisor's roll-up per component. Complete latency travels as an encoded HDR
 * histogram so percentiles merge exactly across tasks and threads.
 */
import type hdrTypes from 'hdr-histogram-js';

type Hdr = typeof hdrTypes;
let hdrModule: Hdr | null = null;

/**
 * hdr-histogram-js takes ~75 ms to import; only threads hosting spouts (and the main thread)
 * record latency, so it is loaded on demand: a restarted bolt-only thread comes up faster.
 */
export async function loadHdr(): Promise<Hdr> {
  hdrModule ??= ((await import('hdr-histogram-js')) as unknown as { default: Hdr }).default;
  return hdrModule;
}

function hdr(): Hdr {
  if (hdrModule === null) throw new Error('loadHdr() must be awaited before using histograms');
  return hdrModule;
}

export interface TaskCounters {
  taskId: number;
  component: string;
  kind: 'spout' | 'bolt';
  emitted: number;
  executed: number;
  acked: number;
  failed: number;
  errors: number;
  replayed: number;
  /** Spouts: messages the spout gave up on (collector.deadLetter). */
  deadLettered: number;
  /** Spouts: failed trees not emitted again (yet); at the end of input, trees never completed. */
  dropped: number;
  /** Sampled execute latency: sum of sampled durations (ms) and sample count. */
  execMsSum: number;
  execSamples: number;
  /** Busy time in ms (sampled executes scaled up), for capacity. */
  busyMs: number;
  lastError: string | null;
}

export function newCounters(taskId: number, component: string, kind: 'spout' | 'bolt'): TaskCounters {
  return {
    taskId, component, kind, emitted: 0, executed: 0, acked: 0, failed: 0, errors: 0,
    replayed: 0, deadLettered: 0, dropped: 0, execMsSum: 0, execSamples: 0, busyMs: 0, lastError: null,
  };
}

export interface WorkerMetrics {
  workerIndex: number;
  tasks: TaskCounters[];
  /** Complete latency (microseconds) per spout component: one compressed HDR per spout task. */
  completeLatency: Record<string, string[]>;
  rssBytes: number;
  heapUsedBytes: number;
  queueDepth: number;
  framesSent: number;
  tuplesSent: number;
  restartCount?: number;
}

export function buildHistogram(): hdrTypes.Histogram {
  // 1 µs .. 1 hour at 3 significant digits: plenty for complete latency.
  return hdr().build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3 });
}

export function encodeHistogram(h: hdrTypes.Histogram): string {
  return hdr().encodeIntoCompressedBase64(h);
}

export function decodeHistogram(s: string): hdrTypes.Histogram {
  return hdr().decodeFromCompressedBase64(s);
}

export interface ComponentTotals {
  kind: 'spout' | 'bolt';
  tasks: number;
  emitted: number;
  executed: number;
  acked: number;
  failed: number;
  errors: number;
  replayed: number;
  deadLettered: number;
  dropped: number;
  executeLatencyMs: number | null;
  busyMs: number;
  lastError: string | null;
}

/** Sum task counters per component (system components included; callers filter). */
export function rollUp(tasks: readonly TaskCounters[]): Map<string, ComponentTotals> {
  const sums = new Map<string, { total: TaskCounters; tasks: number }>();
  for (const t of tasks) {
    const s = sums.get(t.component);
    if (s) {
      addCounters(s.total, t);
      s.tasks++;
    } else sums.set(t.component, { total: { ...t }, tasks: 1 });
  }
  const out = new Map<string, ComponentTotals>();
  for (const [id, { total: c, tasks: n }] of sums) {
    out.set(id, {
      kind: c.kind, tasks: n, emitted: c.emitted, executed: c.executed, acked: c.acked, failed: c.failed,
      errors: c.errors, replayed: c.replayed, deadLettered: c.deadLettered, dropped: c.dropped, busyMs: c.busyMs, lastError: c.lastError,
      executeLatencyMs: c.execSamples > 0 ? c.execMsSum / c.execSamples : null,
    });
  }
  return out;
}

/** Add b's counters into a (same task), used to keep totals of threads that died. */
export function addCounters(a: TaskCounters, b: TaskCounters): void {
  a.emitted += b.emitted;
  a.executed += b.executed;
  a.acked += b.acked;
  a.failed += b.failed;
  a.errors += b.errors;
  a.replayed += b.replayed;
  a.deadLettered += b.deadLettered;
  a.dropped += b.dropped;
  a.execMsSum += b.execMsSum;
  a.execSamples += b.execSamples;
  a.busyMs += b.busyMs;
  if (b.lastError) a.lastError = b.lastError;
}
