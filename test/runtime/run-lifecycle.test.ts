// How a run starts and ends: a prepare that throws, a bounded run with acking off, and
// untracked tuples that must all arrive before the bolts' finish().
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BaseBasicBolt, RunError, TopologyBuilder, runTopology, type Bolt, type Tuple } from '../../src/index.js';
import { FeederSpout } from '../../src/testing/index.js';
import { fixture, freshDir } from './results.js';

class BrokenPrepare extends BaseBasicBolt {
  override prepare(): void {
    throw new Error('cannot connect to the database');
  }
  execute(): void {}
}

describe('a component whose prepare throws', () => {
  it('makes runTopology reject with a RunError (exit code 1) naming the component, in the calling thread', async () => {
    const b = new TopologyBuilder();
    b.setSpout('feed', new FeederSpout(['x']).factory());
    b.setBolt('db', BrokenPrepare).shuffleGrouping('feed');
    const err = await runTopology(b.build('broken')).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(RunError);
    expect((err as RunError).exitCode).toBe(1);
    expect((err as RunError).message).toMatch(/^component 'db' \(task 2\) failed to start: Error: cannot connect to the database/);
  });

  it('does the same over worker threads', async () => {
    const err = await runTopology(fixture('prepare-fails.ts'), { overrides: { workers: 2 } }).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(RunError);
    expect((err as RunError).exitCode).toBe(1);
    expect((err as RunError).message).toMatch(/^component 'fragile' \(task \d+\) failed to start: Error: prepare refused on purpose/);
  }, 20000);
});

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

describe('untracked tuples with acking on', () => {
  it('all reach the bolts before finish() in a bounded run over worker threads', async () => {
    const outDir = freshDir('untracked');
    try {
      const handle = await runTopology(fixture('untracked.ts'), { overrides: { workers: 2 }, config: { count: 5000, outDir } });
      const summary = await handle.completion;
      expect(summary.status).toBe('completed');
      const counted = readdirSync(outDir).reduce((n, f) => n + (JSON.parse(readFileSync(join(outDir, f), 'utf8')) as number), 0);
      expect(counted).toBe(5000);
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  }, 20000);
});
