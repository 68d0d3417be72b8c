// `topo run --chaos kill-worker=<interval>`: bolt threads are killed while word count runs
// over a large file; every line is still acked (replayed after the kills) and the run
// completes. With one thread there is nothing to kill without killing the spout: refused.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, summaryOf, tempDir, topo, topologyFile } from './run-cli.js';

// Enough for dozens of kills at 300 ms; `topo run` itself was checked on 200k lines (see the README).
const LINES = 60_000;
const WORDS = ['fox', 'Jumps', 'café', 'over', 'the', 'lazy', 'DOG', 'naïve'];

let tmp: ReturnType<typeof tempDir>;
let input: string;

beforeAll(() => {
  assertBuilt();
  tmp = tempDir('chaos');
  input = join(tmp.dir, 'big.txt');
  const lines: string[] = [];
  for (let i = 0; i < LINES; i++) lines.push(`${WORDS[i % WORDS.length]} ${WORDS[(i * 7) % WORDS.length]} ${i % 997} ${WORDS[(i * 3) % WORDS.length]}`);
  writeFileSync(input, `${lines.join('\n')}\n`);
});

afterAll(() => tmp?.remove());

describe('topo run --chaos kill-worker', () => {
  it('kills bolt threads every 300 ms and still acks every line of a 60k-line file', async () => {
    const r = await topo([
      'run', topologyFile('wordcount.ts'), '-c', `input=${input}`, '--workers', '3', '-c', 'messageTimeoutMs=3000',
      '--chaos', 'kill-worker=300ms', '--json', '--metrics-interval', '5s',
    ], 170_000);
    // stderr (progress every 5 s, one line per kill) explains a failure; only its end is shown.
    expect(r.code, r.stderr.split('\n').filter((l) => !l.includes('chaos: killed')).slice(-20).join('\n')).toBe(0);
    const s = summaryOf(r);
    expect(s.status).toBe('completed');
    expect(s.workers).toBe(3);
    expect(s.spouts['sentences']!.acked).toBe(LINES);
    expect(s.spouts['sentences']!.replayed).toBeGreaterThan(0);
    expect(s.chaosKills).toBeGreaterThan(0);
    expect(s.restarts).toBeGreaterThanOrEqual(s.chaosKills);
    expect(s.pending).toBe(0);
  }, 180_000);

  it('refuses with exit 2 when every thread hosts a spout (--workers 1)', async () => {
    const r = await topo(['run', topologyFile('wordcount.ts'), '--chaos', 'kill-worker=300ms', '--workers', '1', '--json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/every worker thread hosts a spout/);
    expect(r.stdout).toBe('');
  }, 30_000);

  it('rejects an unknown chaos mode with exit 2', async () => {
    const r = await topo(['run', topologyFile('wordcount.ts'), '--chaos', 'kill-everything']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--chaos: unknown mode 'kill-everything'/);
  }, 30_000);
});
