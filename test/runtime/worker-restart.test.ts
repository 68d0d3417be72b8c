import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { runTopology } from '../../src/index.js';
import { fixture, freshDir, sinkIds, spoutAcks } from './results.js';

const COUNT = 150;
const dirs: string[] = [];
const outDir = (): string => {
  const d = freshDir('crash');
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('a worker thread that dies', () => {
  for (const crashHow of ['exit', 'throw'] as const) {
    it(`is restarted, and the trees it held time out and replay (${crashHow === 'exit' ? 'process.exit(1)' : 'uncaught async throw'})`, async () => {
      const dir = outDir();
      const events: string[] = [];
      const handle = await runTopology(fixture('crash.ts'), {
        overrides: { workers: 2 },
        config: { count: COUNT, outDir: dir, crash: 'once', crashHow, crashAfter: 40, messageTimeoutMs: 500 },
        onEvent: (e) => events.push(e),
      });
      const summary = await handle.completion;
      expect(summary.status).toBe('completed');
      expect(summary.restarts).toBeGreaterThanOrEqual(1);
      expect(events.some((e) => /worker 1 died/.test(e))).toBe(true);
      if (crashHow === 'throw') expect(events.join('\n')).toMatch(/boom: crasher thread failure/);
      const s = summary.spouts['ids']!;
      expect(s.acked).toBe(COUNT);
      expect(s.failed).toBeGreaterThan(0);
      expect(s.replayed).toBeGreaterThan(0);
      const acks = spoutAcks(dir);
      expect(acks.size).toBe(COUNT);
      for (const n of acks.values()) expect(n).toBe(1);
      expect(sinkIds(dir).distinct.size).toBe(COUNT);
    }, 20000);
  }

  it('holds the frames for a dead thread until its replacement is wired: no tree waits out the message timeout', async () => {
    // messageTimeoutMs 60 s: the trees that touched the dead thread are failed at once and
    // replayed during its restart backoff. Posted into the dead channel, those replays were
    // lost and the run waited 60 s for their timeouts.
    const dir = outDir();
    const handle = await runTopology(fixture('crash.ts'), {
      overrides: { workers: 2 },
      config: { count: COUNT, outDir: dir, crash: 'once', crashHow: 'exit', crashAfter: 40, messageTimeoutMs: 60_000 },
    });
    const summary = await handle.completion;
    expect(summary.status).toBe('completed');
    expect(summary.restarts).toBe(1);
    expect(summary.spouts['ids']!.replayed).toBeGreaterThan(0);
    expect(summary.elapsedMs).toBeLessThan(60_000);
    expect(sinkIds(dir).distinct.size).toBe(COUNT);
  }, 90_000);

  it('does not hang the end of the run when a thread dies while finishing', async () => {
    const dir = outDir();
    const handle = await runTopology(fixture('crash.ts'), {
      overrides: { workers: 2 },
      config: { count: 20, outDir: dir, crash: 'finish', crashHow: 'exit', messageTimeoutMs: 500 },
    });
    const summary = await Promise.race([handle.completion, new Promise<null>((r) => setTimeout(() => r(null), 8000))]);
    expect(summary?.status).toBe('completed');
    expect(summary!.restarts).toBe(1);
    expect(sinkIds(dir).distinct.size).toBe(20);
  }, 20000);

  it('fails the run when it keeps dying (5 times in a minute)', async () => {
    const dir = outDir();
    const handle = await runTopology(fixture('crash.ts'), {
      overrides: { workers: 2 },
      config: { count: COUNT, outDir: dir, crash: 'always', crashHow: 'throw', messageTimeoutMs: 500 },
    });
    const summary = await handle.completion;
    expect(summary.status).toBe('failed');
    expect(summary.error).toMatch(/worker thread 1 keeps dying \(5 times in a minute\); last error: .*boom: crasher thread failure/s);
    expect(summary.restarts).toBe(4);
  }, 20000);
});
