// What makes a run `completed-with-failures`: trees a spout dead-lettered or failed without
// emitting again, summed over its tasks and the threads that died (summary.ts).
import { describe, expect, it } from 'vitest';
import { newCounters, type TaskCounters, type WorkerMetrics } from '../../src/runtime/metrics.js';
import { MetricsBook, buildSummary, neverCompleted } from '../../src/runtime/summary.js';

function snapshot(workerIndex: number, tasks: TaskCounters[]): WorkerMetrics {
  return { workerIndex, tasks, completeLatency: {}, rssBytes: 0, heapUsedBytes: 0, queueDepth: 0, framesSent: 0, tuplesSent: 0 };
}

function spout(over: Partial<TaskCounters>): TaskCounters {
  return { ...newCounters(1, 'lines', 'spout'), ...over };
}

const summaryOf = (book: MetricsBook) =>
  buildSummary(book, { topology: 't', workers: 1, elapsedMs: 1, status: 'completed', pending: 0, restarts: 0, chaosKills: 0, error: null }, false);

describe('trees that never completed', () => {
  it('are the dead-lettered plus the failed and not emitted again', () => {
    const book = new MetricsBook();
    book.update(snapshot(0, [spout({ failed: 7, deadLettered: 2, dropped: 3 })]));
    const s = summaryOf(book);
    expect(s.spouts['lines']).toMatchObject({ failed: 7, deadLettered: 2, dropped: 3 });
    expect(neverCompleted(s)).toBe(5);
  });

  it('a dead spout thread keeps its dead letters, but its pending replays are its replacement\'s', () => {
    const book = new MetricsBook();
    book.update(snapshot(0, [spout({ failed: 4, deadLettered: 1, dropped: 3 })]));
    book.retire(0);
    // The replacement reads the input anew and completes everything.
    book.update(snapshot(0, [spout({ emitted: 10, acked: 10 })]));
    const s = summaryOf(book);
    expect(s.spouts['lines']).toMatchObject({ failed: 4, deadLettered: 1, dropped: 0, acked: 10 });
    expect(neverCompleted(s)).toBe(1);
  });
});
