// `topo run --inactive`: the spouts wait until SIGUSR2 activates them (a second one pauses
// them again, a third resumes); the progress line says the run is inactive meanwhile.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, spawnTopo, summaryOf, tempDir, waitForOutput } from './run-cli.js';
import { fixture } from '../runtime/results.js';

let tmp: ReturnType<typeof tempDir>;
beforeAll(() => {
  assertBuilt();
  tmp = tempDir('activation');
});
afterAll(() => tmp?.remove());

describe('topo run --inactive', () => {
  it('emits nothing until SIGUSR2, then completes', async () => {
    const run = spawnTopo(['run', fixture('activation.ts'), '-c', 'count=300', '-c', `outDir=${tmp.dir}`, '--inactive', '--metrics-interval', '200ms', '--json', '-w', '2']);
    await waitForOutput(run.out, (s) => /inactive \(kill -USR2 to activate\)/.test(s), 30_000);
    expect(run.out.stderr).toMatch(/started inactive: no spout emits until the topology is activated/);
    run.child.kill('SIGUSR2');
    const r = await run.done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/spouts activated/);
    const s = summaryOf(r);
    expect(s.status).toBe('completed');
    expect(s.spouts['ids']!.acked).toBe(300);
  }, 60_000);
});
