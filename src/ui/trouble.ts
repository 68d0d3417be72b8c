/**
 * What the dashboard calls trouble, decided once here for the page, /api/topology and
 * /metrics alike: which components are held back and why (backpressure), when a running
 * run is "degraded" and the reasons shown for it, and why an ended run is not a clean
 * success. The page only draws these; it never infers a state of its own.
 */
import type { Assignment } from '../runtime/messages.js';
import type { SharedState } from '../runtime/shared-state.js';
import type { RunSummary } from '../runtime/summary.js';
import type { Backpressure, ComponentFigures, Health, StoreProbe, ThreadFigures } from './live-types.js';

/**
 * A spout with a task at maxSpoutPending open trees is not polled (max-pending); a
 * component whose tasks share a congested thread waits on it (congested). Queued tuples are
 * those of the threads its tasks run on.
 */
export function backpressureOf(
  kind: 'spout' | 'bolt', taskIds: readonly number[], assignment: Assignment, shared: SharedState,
  threads: ReadonlyMap<number, ThreadFigures>, maxSpoutPending: number,
): Backpressure {
  const workers = [...new Set(taskIds.map((t) => assignment.taskWorker[t]!))].sort((a, b) => a - b);
  let queued = 0;
  for (const w of workers) queued += (threads.get(w)?.queueDepth ?? 0) + (threads.get(w)?.inboundFrames ?? 0);
  if (kind === 'spout' && maxSpoutPending > 0) {
    const full = taskIds.filter((t) => Atomics.load(shared.spoutPending, t) >= maxSpoutPending);
    if (full.length > 0) {
      return { state: 'max-pending', detail: `${full.length} of ${taskIds.length} task(s) at maxSpoutPending (${maxSpoutPending} open trees): not polled until trees complete`, queued };
    }
  }
  const congested = workers.filter((w) => Atomics.load(shared.congestion, w) !== 0);
  if (congested.length > 0) {
    return { state: 'congested', detail: `thread${congested.length > 1 ? 's' : ''} ${congested.join(', ')} congested (full queues or unsent batches)`, queued };
  }
  return { state: 'none', detail: null, queued };
}

/**
 * Degraded while running: errors or failed trees in the window, or a store unreachable. Once
 * the run ended only the stores are listed: "errors in the last 5 s" of a frozen final sample
 * would read as current for as long as the dashboard lingers.
 */
export function healthOf(running: boolean, components: readonly ComponentFigures[], stores: readonly StoreProbe[], windowS: number): Health {
  const reasons: string[] = [];
  for (const s of stores) {
    const p = s.problem();
    if (p !== null) reasons.push(p);
  }
  if (!running) return { degraded: false, reasons };
  for (const c of components) {
    if (c.recentErrors > 0) {
      const last = c.lastError ? `; last: ${c.lastError}` : '';
      reasons.push(`'${c.id}' reported ${c.recentErrors} error${c.recentErrors > 1 ? 's' : ''} in the last ${windowS} s${last}`);
    }
    if (c.kind === 'spout' && c.failedPerSec > 0) reasons.push(`'${c.id}': trees failing (${c.failedPerSec}/s: failed by a bolt or timed out), replayed if the spout replays`);
  }
  return { degraded: reasons.length > 0, reasons };
}

/** Why an ended run is what it is, when that is not a clean completion or stop. */
export function statusReason(s: RunSummary, status: string): string | null {
  const failed = Object.values(s.spouts).reduce((a, x) => a + x.failed, 0);
  switch (status) {
    case 'incomplete':
      return `the drain timed out with ${s.pending} tree${s.pending === 1 ? '' : 's'} still pending: they never completed${s.error ? `; ${s.error}` : ''}`;
    case 'failed':
      return s.error ?? 'the run failed';
    case 'completed-with-failures':
      return s.error ?? `the spouts ran out of input but ${failed} tree${failed === 1 ? '' : 's'} failed and never completed (failed/s and the error history show where)`;
    default:
      return s.error;
  }
}
