/**
 * The shapes /api/topology returns under `live` and `history`, and what the dashboard reads
 * from a run (RunSource). Kept apart from the sampler (live.ts) so the page's contract is
 * one short file; docs/dashboard.md describes the states these drive.
 */
import type { Assignment } from '../runtime/messages.js';
import type { RuntimeConfig } from '../runtime/config.js';
import type { ReportedError } from '../runtime/error-log.js';
import type { SharedState } from '../runtime/shared-state.js';
import type { MetricsBook, RunSummary } from '../runtime/summary.js';
import type { Plan } from '../topology/plan.js';

/** What the dashboard reads from a running Supervisor (structural, so tests can hand in their own). */
export interface RunSource {
  readonly plan: Plan;
  readonly assignment: Assignment;
  readonly config: RuntimeConfig;
  readonly book: MetricsBook;
  readonly shared: SharedState;
  /** The reported errors with their full text (Supervisor.errors); absent: no history. */
  readonly errors?: { recent(): readonly ReportedError[] };
  summary(): RunSummary;
}

/** A store the run depends on (the views' Redis): null while reachable, else why not. */
export interface StoreProbe {
  problem(): string | null;
}

/** Why a component is held back, if it is. */
export interface Backpressure {
  /** `max-pending`: a spout task has maxSpoutPending trees open; `congested`: a thread of its tasks is. */
  readonly state: 'none' | 'max-pending' | 'congested';
  readonly detail: string | null;
  /** Tuples queued on the threads hosting its tasks (shared with their other tasks). */
  readonly queued: number;
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
  /** Sampled executes since the start: their summed duration and number (Prometheus summary). */
  readonly executeSamples: { readonly sumMs: number; readonly count: number };
  /** Busiest task's busy time / wall time over the window (bolts; spouts have no execute). */
  readonly capacity: number | null;
  readonly emittedPerSec: number;
  readonly executedPerSec: number;
  readonly ackedPerSec: number;
  readonly failedPerSec: number;
  readonly errorsPerSec: number;
  /** Errors reported over the window: above 0 the component is failing (marked on the DAG). */
  readonly recentErrors: number;
  readonly backpressure: Backpressure;
  /** Spouts only: trees in flight and complete latency of the trees they rooted. */
  readonly pending: number | null;
  readonly completeLatencyMs: { p50: number; p90: number; p99: number; p999: number; sumMs: number; count: number } | null;
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

export interface Health {
  /** True while the run is running with trouble: errors in the window, failing trees, a store unreachable. */
  readonly degraded: boolean;
  /** One line per trouble, for the page (empty when healthy). */
  readonly reasons: readonly string[];
}

export interface LiveSnapshot {
  readonly topology: string;
  /** The run's status (RunStatus once ended, e.g. `completed-with-failures`), or `running`. */
  readonly status: string;
  /** Why the run ended as it did when that is not plainly good (incomplete, failed, ...), else null. */
  readonly statusReason: string | null;
  readonly health: Health;
  readonly at: number;
  readonly elapsedMs: number;
  readonly workers: number;
  readonly ackers: number;
  readonly pending: number;
  readonly restarts: number;
  readonly chaosKills: number;
  readonly error: string | null;
  readonly totals: { emitted: number; acked: number; failed: number; replayed: number; errors: number; ackedPerSec: number; failedPerSec: number };
  readonly completeLatencyMs: RunSummary['completeLatencyMs'];
  readonly components: readonly ComponentFigures[];
  readonly threads: readonly ThreadFigures[];
  /** The latest reported errors, oldest first (see runtime/error-log.ts). */
  readonly recentErrors: readonly ReportedError[];
}

/** One point of the throughput chart. */
export interface HistoryPoint {
  readonly t: number;
  readonly ackedPerSec: number;
  readonly emittedPerSec: number;
  /** Trees failed per second at the spouts (fails and timeouts). */
  readonly failedPerSec: number;
  /** Complete latency p99 of the trees completed in the window (not since the start: a live chart of a cumulative p99 flattens within a minute). */
  readonly p99Ms: number | null;
}
