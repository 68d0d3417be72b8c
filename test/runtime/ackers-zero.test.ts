import { describe, expect, it } from 'vitest';
import { TopologyBuilder, runTopology, type Bolt, type Tuple } from '../../src/index.js';
import { FeederSpout } from '../../src/testing/index.js';

describe('ackers: 0', () => {
  it('acks at emit, completes once the spout is exhausted and every thread is idle, and has no complete latency', async () => {
    const feeder = new FeederSpout(['n']);
    const seen: Tuple[] = [];
    // Never acks: with tracking off that must not matter.
    const ignoring = (): Bolt => ({ declareOutputFields() {}, prepare() {}, execute: (t) => void seen.push(t) });
    const b = new TopologyBuilder();
    b.setSpout('feed', feeder.factory());
    b.setBolt('ignore', ignoring, 2).shuffleGrouping('feed');
    const handle = await runTopology(b.build('no-ackers'), { config: { ackers: 0 } });
    for (let i = 0; i < 5; i++) feeder.feed([i], `m${i}`);
    await feeder.waitFor((t) => t.acked().length === 5, 1000);
    expect(feeder.acked()).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
    feeder.finish();
    const summary = await handle.completion;
    expect(summary.status).toBe('completed');
    expect(summary.pending).toBe(0);
    expect(summary.completeLatencyMs).toBeNull();
    expect(summary.spouts['feed']).toMatchObject({ emitted: 5, acked: 5, failed: 0 });
    expect(summary.bolts['ignore']!.executed).toBe(5);
    expect(seen).toHaveLength(5);
    expect(feeder.failed()).toEqual([]);
  });
});
