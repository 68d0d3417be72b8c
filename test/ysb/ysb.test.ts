/**
 * The Yahoo Streaming Benchmark application (topologies/ysb.ts) through the commands a user
 * types, against a real redis-server: the generator run checked exact in realtime and after
 * `topo batch`; the check naming a doubled and a lost event; bad events from a stream
 * rejected with their reasons; and a chaos run with exactly-once whose check is exact.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { lastJson, type RunSummaryJson } from '../pageviews-e2e/harness.js';
import { expectedCounts, setupOf } from '../../topologies/ysb/gen.mjs';
import { cellKey, produce, runYsb, script, scratch, topo, YSB, type CheckJson, type Scratch } from './harness.js';

let server: RedisServer;
let root: string;
let db = 0;
beforeAll(async () => {
  server = await startRedis();
  root = mkdtempSync(join(tmpdir(), 'topo-ysb-'));
});
afterAll(async () => {
  await server?.dispose();
  rmSync(root, { recursive: true, force: true });
});

const fresh = (tag: string): Scratch => scratch(root, tag, `${server.url}/${++db}`);

async function check(s: Scratch): Promise<{ code: number | null; out: CheckJson; stderr: string }> {
  const r = await script(s, ['check', '-t', YSB, '--json']);
  return { code: r.code, out: lastJson<CheckJson>(r), stderr: r.stderr };
}

describe('YSB', () => {
  it('50k generated events from two generator tasks: every window exact in realtime, a doubled and a lost event named, exact again after topo batch', async () => {
    const s = fresh('small');
    // Two input tasks split the schedule (task i emits events i, i + 2, ...): the check must
    // regenerate exactly the events both emitted.
    s.env['YSB_GENERATORS'] = '2';
    // A fixed start in the past: event times are the schedule, emitted as fast as the run goes.
    // Two windows: [00, 10) and [10, 20); topo batch then serves the first.
    const start = Date.UTC(2026, 0, 5, 10, 0, 8);
    const run = await runYsb(s, ['-c', 'rate=20000', '-c', 'events=50000', '-c', 'seed=42', '-c', `start=${start}`]);
    expect(run.code, run.stderr).toBe(0);
    const summary = lastJson<RunSummaryJson & { threads: Array<{ tasks: string[] }> }>(run);
    expect(summary.status).toBe('completed');
    expect(summary.spouts['events']!.acked).toBe(50_000);
    expect(summary.threads.map((t) => t.tasks.filter((n) => n.startsWith('events:')).length)).toEqual([1, 1]);

    const truth = expectedCounts(setupOf(42), { seed: 42, start, rate: 20_000, skew: false }, 50_000);
    const views = [...truth.values()].reduce((a, m) => a + [...m.values()].reduce((x, y) => x + y, 0), 0);
    const realtime = await check(s);
    expect(realtime.code, realtime.stderr).toBe(0);
    expect(realtime.out).toMatchObject({ events: 50_000, views, differing: 0, sources: { batch: 0 } });
    expect(summary.bolts['join']!.executed).toBe(views);
    // The benchmark's metric has every campaign's one complete window ([00, 10); the run stopped inside [10, 20)).
    const lat = await script(s, ['latency', '--json']);
    expect(lat.code, lat.stderr).toBe(0);
    expect(lastJson<{ windows: number; p99: number }>(lat)).toMatchObject({ windows: 100, p99: expect.any(Number) });

    // One window counted an event twice, another lost one.
    const redis = new Redis(s.redis);
    try {
      const [c1, c2] = setupOf(42).campaigns;
      const w = [...truth.get(c1!)!.keys()][0]!;
      const w2 = [...truth.get(c2!)!.keys()][0]!;
      { const c = cellKey(c1!, w); await redis.zincrby(c.key, 1, c.member); }
      { const c = cellKey(c2!, w2); await redis.zincrby(c.key, -1, c.member); }
      const bad = await check(s);
      expect(bad.code).toBe(1);
      expect(bad.out.differing).toBe(2);
      expect(bad.out.diffs).toEqual(expect.arrayContaining([
        { campaign: c1, window: new Date(w).toISOString(), expected: truth.get(c1!)!.get(w), got: truth.get(c1!)!.get(w)! + 1, diff: 1, source: 'realtime' },
        { campaign: c2, window: new Date(w2).toISOString(), expected: truth.get(c2!)!.get(w2), got: truth.get(c2!)!.get(w2)! - 1, diff: -1, source: 'realtime' },
      ]));
      expect(bad.stderr).toContain(`DIFFER campaign ${c1} window ${new Date(w).toISOString()} (realtime): expected`);
      expect(bad.stderr).toContain('(+1)');
      expect(bad.stderr).toContain('(-1)');
      { const c = cellKey(c1!, w); await redis.zincrby(c.key, -1, c.member); }
      { const c = cellKey(c2!, w2); await redis.zincrby(c.key, 1, c.member); }
    } finally {
      redis.disconnect();
    }

    // topo batch recomputes every whole window from the master dataset: exact, from batch.
    const b = await topo(s, ['batch', YSB, '--master', s.master, '--redis', s.redis, '--threads', '2', '--json', '-q']);
    expect(b.code, b.stderr).toBe(0);
    expect(lastJson(b)).toMatchObject({ records: 50_000, events: views, duplicates: 0 });
    const batched = await check(s);
    expect(batched.code, batched.stderr).toBe(0);
    expect(batched.out.sources.batch).toBeGreaterThan(0);
  }, 300_000);

  it('from a Redis stream, skewed: bad events (not JSON, a missing field, an unknown ad) rejected with their reasons, the rest exact', async () => {
    const s = fresh('stream');
    // Skewed as the original's -w: +-50 ms, and 1 in 100,000 events up to 60 s late.
    const p = await produce(s, 'ysb', ['--rate', '20000', '--events', '20000', '--seed', '7', '--skew']);
    expect(p.produce.code, p.produce.stderr).toBe(0);
    expect(p.events.code, p.events.stderr).toBe(0);
    const redis = new Redis(s.redis);
    const unknownAd = '{"user_id":"u","page_id":"p","ad_id":"no-such-ad","ad_type":"mail","event_type":"view","event_time":"1767607200000","ip_address":"1.2.3.4"}';
    try {
      // Past the producer's checks, as another writer of the stream might append them.
      await redis.xadd('ysb', '*', 'line', 'this is not json', 'id', 'bad:1');
      await redis.xadd('ysb', '*', 'line', '{"user_id":"u","ad_id":"x"}', 'id', 'bad:2');
      await redis.xadd('ysb', '*', 'line', unknownAd, 'id', 'bad:3');
    } finally {
      redis.disconnect();
    }
    const run = await runYsb(s, ['-c', 'stream=ysb', '-c', 'stream.start=0', '-c', 'stream.idleExitMs=3000']);
    expect(run.code, run.stderr).toBe(0);
    const summary = lastJson<RunSummaryJson>(run);
    expect(summary.spouts['events']!.acked).toBe(20_003);
    expect(summary.bolts['rejects']!.executed).toBe(3);
    const rejects = readFileSync(s.rejects, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { line: string; reason: string; source: string; lineNumber: number });
    expect(rejects.map((r) => [r.source, r.lineNumber, r.reason]).sort()).toEqual([
      ['bad', 1, expect.stringMatching(/^not JSON: /)],
      ['bad', 2, "missing field 'page_id'"],
      ['bad', 3, "unknown ad_id 'no-such-ad' (not in the ad -> campaign table)"],
    ]);
    const c = await check(s);
    expect(c.code, c.stderr).toBe(0);
    expect(c.out).toMatchObject({ events: 20_000, differing: 0 });
  }, 300_000);

  it('a bad YSB_GENERATORS stops the load, naming the variable and the value', async () => {
    const s = fresh('bad-generators');
    s.env['YSB_GENERATORS'] = 'two';
    const r = await topo(s, ['validate', YSB]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("YSB_GENERATORS must be an integer from 1 to 64, got 'two'");
  });

  it('chaos (kill-worker=300ms,max=3) with exactly-once: every window exact, in realtime and after topo batch', async () => {
    const s = fresh('chaos');
    // Events 7 s into a window: the run spans two, and topo batch then serves the first.
    const start = Date.UTC(2026, 0, 5, 11, 0, 7);
    const run = await runYsb(s, ['-c', 'rate=10000', '-c', 'events=50000', '-c', `start=${start}`, '-c', 'exactlyOnce=true', '--chaos', 'kill-worker=300ms,max=3', '--workers', '2']);
    expect(run.code, run.stderr).toBe(0);
    const summary = lastJson<RunSummaryJson & { chaosKills: number }>(run);
    expect(summary.status).toBe('completed');
    expect(summary.chaosKills).toBeGreaterThan(0);
    const c = await check(s);
    expect(c.code, c.stderr).toBe(0);
    expect(c.out).toMatchObject({ events: 50_000, differing: 0 });
    const b = await topo(s, ['batch', YSB, '--master', s.master, '--redis', s.redis, '--threads', '2', '--json', '-q']);
    expect(b.code, b.stderr).toBe(0);
    const after = await check(s);
    expect(after.code, after.stderr).toBe(0);
    expect(after.out.sources.batch).toBeGreaterThan(0);
  }, 300_000);
});
