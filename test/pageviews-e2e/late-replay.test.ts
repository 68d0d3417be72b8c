/**
 * Issue 12 item 4: exactly-once pageviews must count a fact once under any replay. A request
 * logged twice (same visitor, URL and second, two lines) is one fact; the second line is
 * dropped by the visitor bolt's dedupe window when it arrives next to the first. If that
 * second line is replayed later than the window (a chaos kill, a failed sink: replays reach
 * up to maxSpoutPending lines, about a day of event time, behind), the window has forgotten
 * the first copy, and the update must carry the fact's identity, not the line's, for the
 * writer's exactly-once id set to recognise it. Real Redis, real writer, exactlyOnce=true.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTopology } from '../../src/index.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { Cells } from './harness.js';

const TOPOLOGY = join(import.meta.dirname, 'late-replay-topology.ts');
const HOUR = 3_600_000;
const T0 = Date.UTC(2024, 0, 1, 10, 0, 7);
let server: RedisServer;
let tmp: string;

beforeAll(async () => {
  server = await startRedis();
  tmp = mkdtempSync(join(tmpdir(), 'topo-pv-late-'));
});
afterAll(async () => {
  await server?.dispose();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const line = (visitor: string, url: string, ts: number): string => JSON.stringify({ visitor, url, ts });

/**
 * Lines 1 and 2: one request logged twice. Then 2,000 other pageviews over a day of event
 * time. Then the replays: line 2 (the copy the window dropped), line 1 (the counted one), and
 * a repeat of the request logged again on a line of its own far later (a third copy).
 */
function script(): [string, number][] {
  const a = line('10.0.0.1', 'http://late.example/page', T0);
  const out: [string, number][] = [[a, 1], [a, 2]];
  for (let i = 0; i < 2000; i++) out.push([line(`v${i % 50}`, `http://late.example/f${i % 40}`, T0 + 1000 + i * 43_000), out.length + 1]);
  out.push([a, 2], [a, 1], [a, out.length + 1]);
  return out;
}

async function run(db: number, exactlyOnce: boolean): Promise<number> {
  const file = join(tmp, `script-${db}.json`);
  writeFileSync(file, JSON.stringify(script()));
  const handle = await runTopology(TOPOLOGY, {
    config: { script: file, rejects: join(tmp, `rejects-${db}.jsonl`), ...(exactlyOnce ? { exactlyOnce: true } : {}) },
    overrides: { redis: `${server.url}/${db}` },
  });
  const s = await handle.completion;
  expect(s.status).toBe('completed');
  expect(s.spouts['lines']!.acked).toBe(2005);
  expect(s.bolts['views']!.errors).toBe(0);
  const cells = new Cells(`${server.url}/${db}`);
  try {
    const [n] = await cells.counts('pageviews', [['http://late.example/page', Math.floor(T0 / HOUR) * HOUR]]);
    return n!;
  } finally {
    cells.close();
  }
}

describe('exactly-once pageviews, a repeated request replayed a day of event time later', () => {
  it('exactlyOnce=true: the fact counts once', async () => {
    expect(await run(1, true)).toBe(1);
  });

  it('without exactlyOnce the late copies count again (what exactly-once is for; README: best effort)', async () => {
    expect(await run(2, false)).toBeGreaterThan(1);
  });
});
