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
    replayed: 0, execMsSum: 0, execSamples: 0, busyMs: 0, lastError: null,
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
  executeLatencyMs: number | null;
  busyMs: number;
  lastError: string | null;
}

/** Sum task counters per component (system components included; callers filter). */
export function rollUp(tasks: readonly TaskCounters[]): Map<string, ComponentTotals> {
  const out = new Map<string, ComponentTotals & { _ms: number; _n: number }>();
  for (const t of tasks) {
    let c = out.get(t.component);
    if (!c) {
      c = { kind: t.kind, tasks: 0, emitted: 0, executed: 0, acked: 0, failed: 0, errors: 0, replayed: 0,
        executeLatencyMs: null, busyMs: 0, lastError: null, _ms: 0, _n: 0 };
      out.set(t.component, c);
    }
    c.tasks++;
    c.emitted += t.emitted;
    c.executed += t.executed;
    c.acked += t.acked;
    c.failed += t.failed;
    c.errors += t.errors;
    c.replayed += t.replayed;
    c.busyMs += t.busyMs;
    c._ms += t.execMsSum;
    c._n += t.execSamples;
    if (t.lastError) c.lastError = t.lastError;
  }
  for (const c of out.values()) {
    c.executeLatencyMs = c._n > 0 ? c._ms / c._n : null;
    delete (c as Partial<typeof c>)._ms;
    delete (c as Partial<typeof c>)._n;
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
  a.execMsSum += b.execMsSum;
  a.execSamples += b.execSamples;
  a.busyMs += b.busyMs;
  if (b.lastError) a.lastError = b.lastError;
}
