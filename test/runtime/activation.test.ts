// Storm's activate/deactivate on a running topology (TopologyHandle.activate/deactivate,
// RunOptions.startInactive; `topo run --inactive` and SIGUSR2 in test/cli/activation.test.ts).
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runTopology } from '../../src/index.js';
import { fixture, freshDir } from './results.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

const spoutFile = (dir: string) => JSON.parse(readFileSync(join(dir, readdirSync(dir).find((n) => n.startsWith('activation-'))!), 'utf8')) as { acked: number; activations: number; deactivations: number };

async function until(cond: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('activate / deactivate', () => {
  it('starts inactive: no spout emits until activate(), then the run completes', async () => {
    const dir = freshDir('inactive');
    dirs.push(dir);
    const h = await runTopology(fixture('activation.ts'), { overrides: { workers: 2 }, config: { count: 500, outDir: dir }, startInactive: true });
    expect(h.active).toBe(false);
    expect(await h.waitIdle(10_000)).toBe(true);
    // Three rounds of fresh figures from every thread: still nothing emitted.
    for (let i = 0; i < 3; i++) expect((await h.metrics()).spouts['ids']!.emitted).toBe(0);
    expect(h.activate()).toBe(true);
    expect(h.active).toBe(true);
    const s = await h.completion;
    expect(s.status).toBe('completed');
    expect(s.spouts['ids']!.acked).toBe(500);
    expect(spoutFile(dir).activations).toBe(1);
    expect(h.activate()).toBe(false); // the run is over
  }, 60_000);

  it('pauses a running topology: trees in flight complete, nothing new is emitted, and it resumes', async () => {
    const dir = freshDir('pause');
    dirs.push(dir);
    const COUNT = 2_000_000; // far more than emitted before the pause
    const h = await runTopology(fixture('activation.ts'), { overrides: { workers: 2 }, config: { count: COUNT, outDir: dir, maxSpoutPending: 100 } });
    await until(async () => (await h.metrics()).spouts['ids']!.acked >= 200, 30_000, '200 acks');
    expect(h.deactivate()).toBe(true);
    expect(h.active).toBe(false);
    // In-flight trees drain (at most maxSpoutPending), then the emitted count holds still.
    await until(async () => { const s = (await h.metrics()).spouts['ids']!; return s.acked === s.emitted; }, 30_000, 'the drain');
    const paused = (await h.metrics()).spouts['ids']!.emitted;
    for (let i = 0; i < 3; i++) expect((await h.metrics()).spouts['ids']!.emitted).toBe(paused);
    expect(paused).toBeLessThan(COUNT);
    expect(h.activate()).toBe(true);
    await until(async () => (await h.metrics()).spouts['ids']!.emitted > paused + 100, 30_000, 'emits after activate');
    const s = await h.stop();
    expect(['stopped', 'completed']).toContain(s.status);
    const f = spoutFile(dir);
    expect(f.activations).toBe(2); // the start and the resume
    expect(f.deactivations).toBeGreaterThanOrEqual(2); // the pause, and the stop
  }, 90_000);
});
