import { describe, expect, it } from 'vitest';
import { runTopology } from '../../src/runtime/local.js';
import { fixture } from './results.js';

describe('backpressure', () => {
  it('holds a fast spout to what a slow bolt on another thread can take (no tracking to help)', async () => {
    const h = await runTopology(fixture('slow-sink.ts'), { config: { batchSize: 100, maxInflightFrames: 4 } });
    const gaps: number[] = [];
    for (let i = 0; i < 4; i++) {
      await new Promise((r) => setTimeout(r, 400));
      const m = await h.metrics();
      gaps.push(m.spouts['fast']!.emitted - m.bolts['slow']!.executed);
    }
    const s = await h.stop();
    expect(s.status).toBe('stopped');
    expect(s.bolts['slow']!.executed).toBeGreaterThan(1000);
    // 4 frames of 100 in flight, a batch being filled and one waiting: well under 2,000.
    // Without backpressure the spout emits hundreds of thousands per second.
    for (const g of gaps) expect(g).toBeLessThan(2000);
  });
});
