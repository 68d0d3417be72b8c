// The pageviews sessions (the visits behind the bounce rate) in a stateful bolt: the thread
// holding them is killed three times mid-run (`--chaos kill-worker`, bounded by a count), and
// the realtime bounce counts still equal the oracle, cell by cell (exactly-once views, so a
// visit closed again after a restart counts once; idField, so a pageview already in the
// checkpointed sessions is not added again when its tree replays).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt } from '../cli/run-cli.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { Cells, lastJson, SHIPPED_LOG, topoIn, type RunSummaryJson } from '../pageviews-e2e/harness.js';
import { iso, refEvents, truthOf } from '../pageviews-e2e/reference.js';
import { stateFixture } from './e2e.js';

let server: RedisServer;
let tmp: string;
beforeAll(async () => {
  assertBuilt();
  server = await startRedis();
  tmp = mkdtempSync(join(tmpdir(), 'topo-state-pv-'));
});
afterAll(async () => {
  await server?.dispose();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('pageviews sessions in a stateful bolt', () => {
  it('the thread holding them is killed mid-run: every realtime bounce cell equals the oracle', async () => {
    const truth = truthOf(refEvents(readFileSync(SHIPPED_LOG, 'utf8')).events);
    const r = await topoIn([
      'run', stateFixture('pageviews-sessions.ts'), '--redis', server.url, '--json', '--metrics-interval', '60s', '--workers', '2',
      '--chaos', 'kill-worker=200ms,max=3', '-c', `input=${SHIPPED_LOG}`, '-c', 'exactlyOnce=true', '-c', 'allowedLatenessMs=21600000', '-c', `rejects=${join(tmp, 'rejects.jsonl')}`,
    ]);
    expect(r.code, r.stderr.slice(-2000)).toBe(0);
    expect(r.stderr).toMatch(/chaos: killing worker 1 \(kill 3 of 3\)/); // worker 1 holds the visitor task (see the fixture)
    const s = lastJson<RunSummaryJson & { restarts: number }>(r);
    expect(s.status).toBe('completed');
    expect(s.restarts).toBe(3);
    expect(s.spouts['lines']!.acked).toBe(10_000);
    expect(s.spouts['lines']!.replayed).toBeGreaterThan(0);
    const want = truth.bounces.get('semicomplete.com')!;
    const cells = new Cells(server.url);
    try {
      const got = await cells.counters('bounces', truth.hours.map((h) => ['semicomplete.com', h] as const));
      expect(got.map((c, i) => [iso(truth.hours[i]!), c['visits'] ?? 0, c['bounces'] ?? 0])).toEqual(
        truth.hours.map((h) => [iso(h), want.get(h)?.visits ?? 0, want.get(h)?.bounces ?? 0]),
      );
      expect(got.reduce((n, c) => n + (c['visits'] ?? 0), 0)).toBeGreaterThan(1000);
    } finally {
      cells.close();
    }
  }, 90_000);
});
