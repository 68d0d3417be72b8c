// Poison input: a bolt throws on some input every time. A run whose input ran out but whose
// trees failed and never completed ends `completed-with-failures` with exit 3 (--allow-failed:
// exit 0). The LineFileSpout waits before each replay of a line a bolt failed and, after
// `input.maxAttempts` failures, writes it to a dead-letter file instead of replaying forever.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cliFixture, summaryOf, tempDir, topo } from './run-cli.js';

interface SpoutFigures { emitted: number; acked: number; failed: number; replayed: number; deadLettered: number; dropped: number }
const spout = (stdout: string, id: string): SpoutFigures => (summaryOf({ code: 0, signal: null, stdout, stderr: '' }).spouts as Record<string, SpoutFigures>)[id]!;

let tmp: ReturnType<typeof tempDir>;
let mixed: string;
let clean: string;

beforeAll(() => {
  assertBuilt();
  tmp = tempDir('poison');
  mixed = join(tmp.dir, 'mixed.txt');
  // 20 lines, 3 of them poison (lines 4, 11 and 17).
  writeFileSync(mixed, Array.from({ length: 20 }, (_, i) => ([3, 10, 16].includes(i) ? `poison ${i + 1}` : `good ${i + 1}`)).join('\n') + '\n');
  clean = join(tmp.dir, 'clean.txt');
  writeFileSync(clean, 'a\nb\nc\n');
});
afterAll(() => tmp?.remove());

describe('a bolt throwing on every tuple behind a spout that does not replay', () => {
  it('ends completed-with-failures, exit 3, saying how many trees never completed', async () => {
    const r = await topo(['run', cliFixture('poison-once.ts'), '--json', '-q']);
    expect(r.code, r.stderr).toBe(3);
    const s = summaryOf(r);
    expect(s.status).toBe('completed-with-failures');
    expect(spout(r.stdout, 'hundred')).toMatchObject({ acked: 0, failed: 100, dropped: 100, deadLettered: 0 });
    expect(r.stderr).toMatch(/100 tree\(s\) failed and never completed: 'hundred' does not replay and dropped 100; exit 3 \(--allow-failed accepts this\)/);
  }, 30_000);

  it('--allow-failed accepts it: exit 0, the same status', async () => {
    const r = await topo(['run', cliFixture('poison-once.ts'), '--json', '-q', '--allow-failed']);
    expect(r.code, r.stderr).toBe(0);
    expect(summaryOf(r).status).toBe('completed-with-failures');
    expect(r.stderr).toMatch(/accepted: --allow-failed/);
  }, 30_000);
});

describe('poison lines behind the LineFileSpout', () => {
  it('are replayed input.maxAttempts times with a backoff, then dead-lettered to a file; the good lines are acked', async () => {
    const dead = join(tmp.dir, 'dead.jsonl');
    const started = Date.now();
    const r = await topo(['run', cliFixture('poison-lines.ts'), '-c', `input=${mixed}`, '-c', `input.deadLetter=${dead}`, '--json']);
    expect(r.code, r.stderr.slice(-2000)).toBe(3);
    const s = summaryOf(r);
    expect(s.status).toBe('completed-with-failures');
    // Default 5 attempts: 4 replays per poison line, after 100, 200, 400 and 800 ms.
    expect(spout(r.stdout, 'lines')).toMatchObject({ acked: 17, failed: 15, replayed: 12, deadLettered: 3, dropped: 0 });
    expect(Date.now() - started).toBeGreaterThan(1500);
    const records = readFileSync(dead, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records.map((x) => [x['line'], x['text'], x['attempts'], x['source']]).sort()).toEqual(
      [[11, 'poison 11', 5, mixed], [17, 'poison 17', 5, mixed], [4, 'poison 4', 5, mixed]],
    );
    expect(records[0]!['reason']).toMatch(/failed by a bolt 5 times \(input\.maxAttempts=5\)/);
    expect(r.stderr).toMatch(/dead-lettered 3/);
    expect(r.stderr).toMatch(/'lines' dead-lettered 3 \(3 line\(s\) of .*mixed\.txt dead-lettered to .*dead\.jsonl\)/);
  }, 60_000);

  it('input.maxAttempts=0 retries forever, but paced: a stopped run replayed a poison line a handful of times, not thousands', async () => {
    const single = join(tmp.dir, 'single.txt');
    writeFileSync(single, 'poison forever\n');
    const r = await topo(['run', cliFixture('poison-lines.ts'), '-c', `input=${single}`, '-c', 'input.maxAttempts=0',
      '-c', 'input.retryDelayMs=50', '-c', 'input.retryMaxMs=200', '--duration', '2s', '--json', '-q']);
    expect(r.code, r.stderr.slice(-2000)).toBe(0);
    expect(summaryOf(r).status).toBe('stopped');
    const f = spout(r.stdout, 'lines');
    expect(f.deadLettered).toBe(0);
    expect(f.replayed).toBeGreaterThan(2);
    // 50, 100, 200, 200, ... ms apart: at most ~12 in 2 s (without the wait: ~11 k a second).
    expect(f.replayed).toBeLessThan(30);
  }, 60_000);

  it('a clean file completes with exit 0 and creates no dead-letter file', async () => {
    const dead = join(tmp.dir, 'none.jsonl');
    const r = await topo(['run', cliFixture('poison-lines.ts'), '-c', `input=${clean}`, '-c', `input.deadLetter=${dead}`, '--json', '-q']);
    expect(r.code, r.stderr).toBe(0);
    expect(summaryOf(r).status).toBe('completed');
    expect(existsSync(dead)).toBe(false);
  }, 30_000);

  it('a bad input.* option fails the start naming the key', async () => {
    const r = await topo(['run', cliFixture('poison-lines.ts'), '-c', `input=${clean}`, '-c', 'input.maxAttempts=-1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/config 'input\.maxAttempts' must be an integer >= 0, got -1/);
  }, 30_000);
});
