/**
 * `topo run --ui` flags as a user meets them: a bad port is bad usage (exit 2), a taken port
 * fails the run before any thread starts (exit 1, naming the address), and --host beyond
 * loopback warns that there is no authentication. After a --duration run the dashboard stays
 * up until Ctrl-C, then the run's exit code.
 */
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assertBuilt, ROOT, topo, waitForOutput } from '../cli/run-cli.js';
import { startUiRun } from './browser.js';

const STEADY = join(ROOT, 'test', 'ui', 'fixtures', 'steady.ts');
let blocker: Server | null = null;
afterAll(() => void blocker?.close());

describe('topo run --ui flags', () => {
  it('exits 2 on a bad --ui-port and 1 when the port is taken', async () => {
    assertBuilt();
    const bad = await topo(['run', STEADY, '--ui-port', 'http']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--ui-port must be an integer >= 0, got 'http'/);
    expect((await topo(['run', STEADY, '--ui-port', '70000'])).code).toBe(2);

    blocker = createServer();
    const port = await new Promise<number>((resolve) => blocker!.listen(0, '127.0.0.1', () => resolve((blocker!.address() as { port: number }).port)));
    const taken = await topo(['run', STEADY, '--ui-port', String(port), '-d', '1s']);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toMatch(new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE`));
    expect(taken.stderr).not.toMatch(/running:/);
  }, 120_000);

  it('--host 0.0.0.0 warns; after --duration the dashboard stays up until Ctrl-C', async () => {
    const run = await startUiRun([STEADY, '--host', '0.0.0.0', '-d', '1s']);
    try {
      expect(run.url).toMatch(/^http:\/\/0\.0\.0\.0:\d+\/ui\/$/);
      await waitForOutput(run.out, (s) => /dashboard still at/.test(s), 60_000);
      expect(run.out.stderr).toMatch(/warning: bound to 0\.0\.0\.0, not loopback: the dashboard has no authentication/);
      expect(run.out.stderr).toMatch(/\[steady\] run stopped; dashboard still at http:\/\/0\.0\.0\.0:\d+\/ui\/, Ctrl-C to exit/);
      const port = new URL(run.url).port;
      const res = await fetch(`http://127.0.0.1:${port}/api/topology`);
      const body = (await res.json()) as { live: { status: string; totals: { acked: number } } };
      expect(body.live.status).toBe('stopped');
      expect(body.live.totals.acked).toBeGreaterThan(0);
    } finally {
      const r = await run.stop('SIGINT');
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/SIGINT: dashboard stopped/);
    }
  }, 120_000);
});
