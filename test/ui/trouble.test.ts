/**
 * What the dashboard calls trouble (src/ui/trouble.ts): backpressure per component from the
 * shared counters, "degraded" only while running and with every reason, and the sentence an
 * ended run gets for each status that is not a clean success.
 */
import { describe, expect, it } from 'vitest';
import { SharedState } from '../../src/runtime/shared-state.js';
import type { RunSummary } from '../../src/runtime/summary.js';
import type { Assignment } from '../../src/runtime/messages.js';
import type { ComponentFigures, ThreadFigures } from '../../src/ui/live.js';
import { backpressureOf, healthOf, statusReason } from '../../src/ui/trouble.js';

const assignment = { taskWorker: [-1, 0, 1, 1] } as unknown as Assignment;
const thread = (worker: number, queueDepth: number): ThreadFigures => ({ worker, tasks: [], rssMB: 0, heapUsedMB: 0, queueDepth, inboundFrames: 1, congested: false, restarts: 0 });
const threads = new Map([[0, thread(0, 10)], [1, thread(1, 20)]]);

describe('backpressureOf', () => {
  it('a spout task at maxSpoutPending is max-pending; a congested thread holds back the components on it', () => {
    const shared = new SharedState(2, 3);
    expect(backpressureOf('spout', [1], assignment, shared, threads, 100)).toEqual({ state: 'none', detail: null, queued: 11 });
    Atomics.store(shared.spoutPending, 1, 100);
    expect(backpressureOf('spout', [1], assignment, shared, threads, 100)).toMatchObject({ state: 'max-pending', detail: '1 of 1 task(s) at maxSpoutPending (100 open trees): not polled until trees complete' });
    Atomics.store(shared.congestion, 1, 1);
    expect(backpressureOf('bolt', [2, 3], assignment, shared, threads, 100)).toEqual({ state: 'congested', detail: 'thread 1 congested (full queues or unsent batches)', queued: 21 });
    expect(backpressureOf('bolt', [1], assignment, shared, threads, 100).state).toBe('none');
  });
});

describe('healthOf', () => {
  const c = (over: Partial<ComponentFigures>): ComponentFigures => ({ id: 'x', kind: 'bolt', recentErrors: 0, failedPerSec: 0, lastError: null, ...over } as ComponentFigures);
  it('degraded while running with errors in the window, failing trees or a store down; every reason listed', () => {
    const store = { problem: () => 'views store redis://h:1 unreachable since 10:00:00 UTC (ECONNREFUSED)' };
    const h = healthOf(true, [c({ id: 'check', recentErrors: 3, lastError: 'Error: boom' }), c({ id: 'ticker', kind: 'spout', failedPerSec: 2.5 })], [store], 5);
    expect(h.degraded).toBe(true);
    expect(h.reasons).toEqual([
      'views store redis://h:1 unreachable since 10:00:00 UTC (ECONNREFUSED)',
      "'check' reported 3 errors in the last 5 s; last: Error: boom",
      "'ticker': trees failing (2.5/s: failed by a bolt or timed out), replayed if the spout replays",
    ]);
    expect(healthOf(true, [c({})], [], 5)).toEqual({ degraded: false, reasons: [] });
    // Ended: a store still down is listed, but the badge shows the run's own status, and the
    // frozen last window's errors are not presented as current.
    expect(healthOf(false, [c({ id: 'check', recentErrors: 3 })], [store], 5)).toEqual({ degraded: false, reasons: [store.problem()] });
  });
});

describe('statusReason', () => {
  const s = (over: Partial<RunSummary>): RunSummary => ({ spouts: { a: { emitted: 9, acked: 6, failed: 3, replayed: 0, errors: 0 } }, pending: 0, error: null, ...over } as RunSummary);
  it('says why an ended run is incomplete, failed or completed with failures; nothing for a clean end', () => {
    expect(statusReason(s({ pending: 5 }), 'incomplete')).toBe('the drain timed out with 5 trees still pending: they never completed');
    expect(statusReason(s({ error: "component 'b' (task 2) failed the run: no disk" }), 'failed')).toBe("component 'b' (task 2) failed the run: no disk");
    expect(statusReason(s({}), 'completed-with-failures')).toBe('the spouts ran out of input but 3 trees failed and never completed (failed/s and the error history show where)');
    expect(statusReason(s({}), 'completed')).toBeNull();
    expect(statusReason(s({}), 'stopped')).toBeNull();
  });
});
