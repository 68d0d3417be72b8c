import { describe, expect, it } from 'vitest';
import { BaseBasicBolt, RunError, TopologyBuilder, runTopology } from '../../src/index.js';
import { FeederSpout } from '../../src/testing/index.js';
import { fixture } from './results.js';

class BrokenPrepare extends BaseBasicBolt {
  prepare(): void {
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
