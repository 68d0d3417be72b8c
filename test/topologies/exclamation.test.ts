// topologies/exclamation.ts through the real CLI: it validates, and a bounded run delivers
// every word through both "!!!" bolts, sends vowel words on the named `shouts` stream, and
// routes each word to the printer task its length selects (direct grouping).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, summaryOf, tempDir, topo, topologyFile, type Summary } from '../cli/run-cli.js';

const FILE = topologyFile('exclamation.ts');
const COUNT = 600;
const PRINTERS = 3;
// The spout's word list, repeated here so that the expectations do not come from the code under test.
const WORDS = ['apple', 'storm', 'otter', 'tuple', 'idea', 'bolt', 'umbrella', 'spout', 'echo', 'oak', 'sky'];

interface Report {
  shouts: Record<string, number>;
  printers: Record<string, Record<string, number>>;
}

let tmp: ReturnType<typeof tempDir>;
let summary: Summary;
let report: Report;

beforeAll(async () => {
  assertBuilt();
  tmp = tempDir('exclamation');
  const output = join(tmp.dir, 'summary.json');
  const r = await topo(['run', FILE, '--workers', '2', '-c', `count=${COUNT}`, '-c', `output=${output}`, '--json', '-q']);
  expect(r.code, r.stderr).toBe(0);
  summary = summaryOf(r);
  report = JSON.parse(readFileSync(output, 'utf8')) as Report;
}, 30_000);

afterAll(() => tmp?.remove());

/** How many of the first `n` words the spout emits are `word`. */
const occurrences = (word: string, n: number): number => {
  const i = WORDS.indexOf(word);
  return Math.floor(n / WORDS.length) + (i < n % WORDS.length ? 1 : 0);
};

describe('topologies/exclamation.ts', () => {
  it('passes topo validate, with the named stream and the direct edge in its plan', async () => {
    const r = await topo(['validate', FILE, '--workers', '2']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/exclaim1\s+--\[shuffle on shouts\]-->\s+shouts/);
    expect(r.stdout).toMatch(/router\s+--\[direct on byLength\]-->\s+printer/);
    expect(r.stdout).toMatch(/router\s+byLength\s+\[word\]\s+direct/);
    expect(r.stdout).toMatch(/printer\s+--\[global on totals\]-->\s+shouts/);
  }, 20_000);

  it('completes with every word acked exactly once and no failures', () => {
    expect(summary.status).toBe('completed');
    expect(summary.spouts['words']).toMatchObject({ emitted: COUNT, acked: COUNT, failed: 0, replayed: 0 });
    for (const id of ['exclaim1', 'exclaim2', 'router', 'printer']) {
      expect(summary.bolts[id]).toMatchObject({ executed: COUNT, acked: COUNT, failed: 0, errors: 0 });
    }
  });

  it('sends the words starting with a vowel, and only those, on the shouts stream', () => {
    const expected: Record<string, number> = {};
    for (const w of WORDS.filter((w) => /^[aeiou]/.test(w))) expected[`${w.toUpperCase()}!!!`] = occurrences(w, COUNT);
    expect(report.shouts).toEqual(expected);
    const shouted = Object.values(expected).reduce((a, b) => a + b, 0);
    expect(summary.bolts['exclaim1']!.emitted).toBe(COUNT + shouted);
    // The shouts sink also got one 'totals' tuple from each printer task.
    expect(summary.bolts['shouts']!.executed).toBe(shouted + PRINTERS);
  });

  it('routes each word to the printer task chosen by its length', () => {
    expect(Object.keys(report.printers).sort()).toEqual(['0', '1', '2']);
    const expected: Record<string, Record<string, number>> = { 0: {}, 1: {}, 2: {} };
    for (const w of WORDS) {
      const len = `${w}!!!!!!`.length;
      const task = expected[len % PRINTERS]!;
      task[len] = (task[len] ?? 0) + occurrences(w, COUNT);
    }
    expect(report.printers).toEqual(expected);
    // The word list is chosen so that every printer task gets work.
    for (const t of Object.values(report.printers)) expect(Object.keys(t).length).toBeGreaterThan(0);
  });

  it('runs without -c output and with the default count of 1000 words', async () => {
    const r = await topo(['run', FILE, '--workers', '2', '--json', '-q']);
    expect(r.code, r.stderr).toBe(0);
    const s = summaryOf(r);
    expect(s.status).toBe('completed');
    expect(s.spouts['words']).toMatchObject({ acked: 1000, failed: 0 });
    expect(s.bolts['printer']!.executed).toBe(1000);
  }, 20_000);
});
