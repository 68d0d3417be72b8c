import { rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runTopology } from '../../src/index.js';
import { fixture, freshDir, sinkIds, spoutAcks } from './results.js';

const COUNT = 300;

describe('at-least-once over worker threads', () => {
  // Second case: threads spin when idle and hold partial batches for a long 5 ms while busy;
  // neither may lose, hold back for good, or double a tuple.
  it.each([
    ['the default loop', {}],
    ['an idle spin and a long batch delay', { idleSpinMs: 0.25, batchDelayMs: 5 }],
  ])('acks every id exactly once at the spout despite random failures, and the sink saw every id (%s)', async (_name, loop) => {
    const outDir = freshDir('replay');
    try {
      const handle = await runTopology(fixture('replay.ts'), {
        overrides: { workers: 2 },
        config: { count: COUNT, failRate: 0.25, outDir, messageTimeoutMs: 2000, ...loop },
      });
      const summary = await handle.completion;
      expect(summary.status).toBe('completed');
      const s = summary.spouts['ids']!;
      expect(s.failed).toBeGreaterThan(0);
      expect(s.replayed).toBeGreaterThan(0);
      expect(s.acked).toBe(COUNT);
      expect(s.emitted).toBe(COUNT + s.replayed);
      expect(summary.bolts['flaky']!.failed).toBe(s.failed);

      const acks = spoutAcks(outDir);
      expect(acks.size).toBe(COUNT);
      for (const n of acks.values()) expect(n).toBe(1);
      const sink = sinkIds(outDir);
      expect(sink.distinct.size).toBe(COUNT);
      expect([...sink.distinct].every((id) => id >= 0 && id < COUNT)).toBe(true);
      // Failed tuples were passed on before failing: the sink saw duplicates.
      expect(sink.executed).toBe(COUNT + s.failed);
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  }, 30000);
});
