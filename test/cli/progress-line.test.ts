// The progress line counts dead letters once there are any (LineFileSpout's input.maxAttempts,
// the stream spout's stream.maxAttempts), and says nothing of them in a clean run.
import { describe, expect, it } from 'vitest';
import { ProgressLine } from '../../src/cli/progress.js';
import type { RunSummary } from '../../src/runtime/summary.js';

function summary(deadLettered: number): RunSummary {
  return {
    topology: 'p', workers: 2, elapsedMs: 2000, status: 'completed', pending: 0, restarts: 0, chaosKills: 0, error: null, lastErrors: {},
    spouts: { lines: { emitted: 20, acked: 17, failed: 15, replayed: 12, deadLettered, dropped: 0, errors: deadLettered } },
    bolts: {}, completeLatencyMs: null, throughput: { ackedPerSec: 8, executedPerSec: 0 }, threads: [], transport: { frames: 0, tuples: 0, tuplesPerFrame: 0 },
  };
}

describe('progress line', () => {
  it('shows dead-lettered N after replayed when a spout dead-lettered', () => {
    expect(new ProgressLine().line(summary(3), 0)).toMatch(/ failed 15 replayed 12 dead-lettered 3 errors 3 /);
  });

  it('leaves it out when nothing was dead-lettered', () => {
    expect(new ProgressLine().line(summary(0), 0)).not.toMatch(/dead-lettered/);
  });
});
