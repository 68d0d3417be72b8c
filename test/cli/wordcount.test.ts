// `topo run topologies/wordcount.ts` end to end on a messy generated corpus: the counts it
// writes must equal counts computed here, independently, from the spec of a word.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, summaryOf, tempDir, topo, topologyFile, type Summary } from './run-cli.js';
import { seededRandom as prng } from '../helpers/random.js';

const LINES = 3000;
const PIECES = [
  'The', 'quick', 'BROWN', 'fox', 'Ünïcode', 'café', 'naïve', 'cafe\u0301', 'e\u0301', 'Straße', 'ΣΟΦΙΑ', 'Москва', '東京',
  'don\'t', 'co-op', 'x86_64', '42', '3.14', 'R2D2', 'İstanbul', 'constructor', 'Constructor', '𝒜lpha', 'emoji😀here',
  '—', '...', '!!', '(parens)', '"quoted"', 'tab\there', 'a', 'I', 'ǅemal', 'ﬁne',
];


/** The lines, and the file text: some lines end in CRLF, some are empty, the last has no newline. */
function corpus(n: number): { lines: string[]; text: string } {
  const rnd = prng(20240611);
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    if (rnd() < 0.05 && i < n - 1) {
      lines.push('');
      continue;
    }
    const words: string[] = [];
    const len = 1 + Math.floor(rnd() * 12);
    for (let k = 0; k < len; k++) words.push(PIECES[Math.floor(rnd() * PIECES.length)]!);
    if (rnd() < 0.3) words.push(String(i));
    lines.push(words.join(rnd() < 0.2 ? '  ' : ' '));
  }
  const text = lines.map((l, i) => (i === n - 1 ? l : l + (i % 3 === 0 ? '\r\n' : '\n'))).join('');
  return { lines, text };
}

/** The spec of word count, written here on purpose instead of imported from the product. */
function expectedCounts(text: string): Record<string, number> {
  const counts = new Map<string, number>();
  for (let line of text.split('\n')) {
    if (line.endsWith('\r')) line = line.slice(0, -1);
    for (const w of line.toLowerCase().split(/[^\p{L}\p{N}]+/u)) if (w !== '') counts.set(w, (counts.get(w) ?? 0) + 1);
  }
  return Object.fromEntries(counts);
}

function expectContract(s: Summary): void {
  expect(Object.keys(s)).toEqual(expect.arrayContaining(
    ['topology', 'workers', 'elapsedMs', 'status', 'spouts', 'bolts', 'completeLatencyMs', 'throughput']));
  expect(s.topology).toBe('wordcount');
  expect(s.elapsedMs).toBeGreaterThan(0);
  expect(Object.keys(s.spouts)).toEqual(['sentences']);
  for (const sp of Object.values(s.spouts)) {
    for (const k of ['emitted', 'acked', 'failed', 'replayed'] as const) expect(sp[k]).toBeTypeOf('number');
  }
  expect(Object.keys(s.bolts).sort()).toEqual(['count', 'report', 'split']);
  for (const b of Object.values(s.bolts)) {
    for (const k of ['executed', 'emitted', 'acked', 'failed', 'errors'] as const) expect(b[k]).toBeTypeOf('number');
  }
  expect(s.throughput.ackedPerSec).toBeTypeOf('number');
}

let tmp: ReturnType<typeof tempDir>;
let input: string;
let lines: string[];
let expected: Record<string, number>;

beforeAll(() => {
  assertBuilt();
  tmp = tempDir('wordcount');
  const c = corpus(LINES);
  lines = c.lines;
  input = join(tmp.dir, 'input.txt');
  writeFileSync(input, c.text);
  expected = expectedCounts(c.text);
});

afterAll(() => tmp?.remove());

async function wordcount(tag: string, ...extra: string[]): Promise<{ summary: Summary; counts: unknown }> {
  const output = join(tmp.dir, `${tag}.json`);
  const r = await topo(['run', topologyFile('wordcount.ts'), '-c', `input=${input}`, '-c', `output=${output}`, '--json', '-q', ...extra]);
  expect(r.code, r.stderr).toBe(0);
  return { summary: summaryOf(r), counts: JSON.parse(readFileSync(output, 'utf8')) };
}

describe('topo run topologies/wordcount.ts', () => {
  it('the generated corpus is as messy as intended', () => {
    expect(lines.length).toBe(LINES);
    expect(lines.filter((l) => l === '').length).toBeGreaterThan(50);
    expect(expected['constructor']).toBeGreaterThan(0);
    expect(expected['ünïcode']).toBeGreaterThan(0);
    expect(expected['e']).toBeGreaterThan(0); // 'e\u0301': the combining mark separates
  });

  it.each([['1'], ['4']])('counts every word exactly with --workers %s', async (workers) => {
    const { summary, counts } = await wordcount(`w${workers}`, '--workers', workers);
    expect(counts).toEqual(expected);
    expectContract(summary);
    expect(summary.workers).toBe(Number(workers));
    expect(summary.status).toBe('completed');
    expect(summary.spouts['sentences']).toMatchObject({ emitted: LINES, acked: LINES, failed: 0, replayed: 0 });
    expect(summary.completeLatencyMs).toEqual(expect.objectContaining({ p50: expect.any(Number), p99: expect.any(Number), max: expect.any(Number) }));
    expect(summary.completeLatencyMs!.p50).toBeLessThanOrEqual(summary.completeLatencyMs!.max);
  }, 30000);

  it('replays failed sentences with -c failRate=0.05 and still counts exactly', async () => {
    const { summary, counts } = await wordcount('fail', '--workers', '2', '-c', 'failRate=0.05');
    expect(counts).toEqual(expected);
    expectContract(summary);
    expect(summary.status).toBe('completed');
    const spout = summary.spouts['sentences']!;
    expect(spout.acked).toBe(LINES);
    expect(spout.failed).toBeGreaterThan(0);
    expect(spout.replayed).toBeGreaterThan(0);
    expect(spout.emitted).toBe(LINES + spout.replayed);
    expect(summary.bolts['split']!.failed).toBe(spout.failed);
  }, 30000);

  it('counts exactly with --ackers 0, and reports no complete latency', async () => {
    const { summary, counts } = await wordcount('noack', '--workers', '2', '--ackers', '0');
    expect(counts).toEqual(expected);
    expectContract(summary);
    expect(summary.status).toBe('completed');
    expect(summary.spouts['sentences']).toMatchObject({ acked: LINES, failed: 0 });
    expect(summary.completeLatencyMs).toBeNull();
  }, 30000);
});
