// `topo run --chaos kill-worker=<interval>[,max=<n>]`: bolt threads are killed while a run goes
// on, and the run still completes with every line acked. Kills are paced by progress (see
// src/runtime/chaos.ts): each waits until every spout task has acked, since the previous kill,
// as many trees as it had pending at it. The tests bound chaos by counts (max=, input sizes),
// never by how fast this machine happens to be.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cliFixture, summaryOf, tempDir, topo, topologyFile, type CliResult } from './run-cli.js';

const LINES = 60_000;
const WORDS = ['fox', 'Jumps', 'café', 'over', 'the', 'lazy', 'DOG', 'naïve'];
const SLOW_LINES = 300;
const SLOW_PENDING = 50;

let tmp: ReturnType<typeof tempDir>;
let input: string;
let slowInput: string;

beforeAll(() => {
  assertBuilt();
  tmp = tempDir('chaos');
  input = join(tmp.dir, 'big.txt');
  const lines: string[] = [];
  for (let i = 0; i < LINES; i++) lines.push(`${WORDS[i % WORDS.length]} ${WORDS[(i * 7) % WORDS.length]} ${i % 997} ${WORDS[(i * 3) % WORDS.length]}`);
  writeFileSync(input, `${lines.join('\n')}\n`);
  slowInput = join(tmp.dir, 'slow.txt');
  writeFileSync(slowInput, Array.from({ length: SLOW_LINES }, (_, i) => `line ${i}`).join('\n'));
});

afterAll(() => tmp?.remove());

/** The scheduler's line for each kill: the figures that allowed it, per spout task. */
function killLines(stderr: string): Array<{ acked: number; pendingThen: number; pendingNow: number }> {
  const out: Array<{ acked: number; pendingThen: number; pendingNow: number }> = [];
  for (const line of stderr.split('\n')) {
    if (!line.includes('chaos: killing worker')) continue;
    for (const m of line.matchAll(/acked (\d+) since the previous kill, (\d+) pending then, (\d+) now/g)) {
      out.push({ acked: Number(m[1]), pendingThen: Number(m[2]), pendingNow: Number(m[3]) });
    }
  }
  return out;
}

/** The end of stderr without the per-kill lines, to explain a failure. */
const tail = (r: CliResult): string => r.stderr.split('\n').filter((l) => !l.includes('chaos: killing')).slice(-20).join('\n');

describe('topo run --chaos kill-worker', () => {
  it('kills bolt threads (at most 12 times) and still acks every line of a 60k-line file; every kill obeys the progress rule', async () => {
    const r = await topo([
      'run', topologyFile('wordcount.ts'), '-c', `input=${input}`, '--workers', '3',
      '--chaos', 'kill-worker=300ms,max=12', '--json', '--metrics-interval', '5s',
    ], 170_000);
    expect(r.code, tail(r)).toBe(0);
    const s = summaryOf(r);
    expect(s.status).toBe('completed');
    expect(s.workers).toBe(3);
    expect(s.spouts['sentences']!.acked).toBe(LINES);
    expect(s.chaosKills).toBeGreaterThan(0);
    expect(s.chaosKills).toBeLessThanOrEqual(12);
    expect(s.restarts).toBeGreaterThanOrEqual(s.chaosKills);
    expect(s.pending).toBe(0);
    const kills = killLines(r.stderr);
    expect(kills.length).toBe(s.chaosKills);
    for (const k of kills) {
      expect(k.acked).toBeGreaterThanOrEqual(k.pendingThen);
      if (k.pendingNow > 0) expect(k.acked).toBeGreaterThan(0);
    }
  }, 180_000);

  it('completes when every tree crosses the killable thread and takes longer than the kill interval', async () => {
    // Paced by the clock alone, each 200 ms kill failed every tree (they take 400 ms) and the run never ended.
    const r = await topo([
      'run', cliFixture('slow-trees.ts'), '-c', `input=${slowInput}`, '-c', `maxSpoutPending=${SLOW_PENDING}`,
      '--workers', '2', '--chaos', 'kill-worker=200ms', '--json', '--metrics-interval', '5s',
    ], 110_000);
    expect(r.code, tail(r)).toBe(0);
    const s = summaryOf(r);
    expect(s.status).toBe('completed');
    const lines = s.spouts['lines']!;
    expect(lines.acked).toBe(SLOW_LINES);
    expect(s.chaosKills).toBeGreaterThanOrEqual(2);
    expect(lines.replayed).toBeGreaterThan(0);
    // Each kill fails at most what is pending at it, and the next waits for as many acks:
    // replays stay below the lines acked plus one window of pending trees (and a little slack).
    expect(lines.emitted).toBeLessThanOrEqual(2 * SLOW_LINES + 2 * SLOW_PENDING);
    for (const k of killLines(r.stderr)) expect(k.acked).toBeGreaterThanOrEqual(Math.max(k.pendingThen, 1));
  }, 120_000);

  it('refuses with exit 2 when every thread hosts a spout (--workers 1)', async () => {
    const r = await topo(['run', topologyFile('wordcount.ts'), '--chaos', 'kill-worker=300ms', '--workers', '1', '--json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/every worker thread hosts a spout/);
    expect(r.stdout).toBe('');
  }, 30_000);

  it.each([
    ['an unknown chaos mode', 'kill-everything', /--chaos: unknown mode 'kill-everything'/],
    ['an interval below the minimum', 'kill-worker=50ms', /--chaos kill-worker: the interval must be at least 100ms .*got '50ms'/],
    ['max 0', 'kill-worker=300ms,max=0', /--chaos kill-worker max must be an integer >= 1, got '0'/],
  ])('refuses %s with exit 2', async (_name, mode, message) => {
    const r = await topo(['run', topologyFile('wordcount.ts'), '--chaos', mode, '--json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  }, 30_000);
});
