import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RejectsWriter, parseApacheLine } from '../../topologies/pageviews/index.js';

const dirs: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'topo-rejects-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const lines = (path: string): unknown[] => readFileSync(path, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as unknown);

describe('RejectsWriter', () => {
  it('creates the directory on the first record and appends JSON Lines in order', () => {
    const path = join(tempDir(), 'deep', 'er', 'rejects.jsonl');
    const w = new RejectsWriter(path);
    expect(existsSync(path)).toBe(false); // no reject, no file
    w.write({ line: 'garbage "with quotes" \\ and \u00e9', lineNumber: 3, reason: 'empty line', source: 'in.log' });
    // Synchronous: the record is on disk before write returns, without close.
    expect(lines(path)).toEqual([{ line: 'garbage "with quotes" \\ and \u00e9', lineNumber: 3, reason: 'empty line', source: 'in.log' }]);
    w.write({ line: 'a\nb', lineNumber: 9, reason: 'r', source: '-' });
    w.close();
    expect(lines(path)).toEqual([
      { line: 'garbage "with quotes" \\ and \u00e9', lineNumber: 3, reason: 'empty line', source: 'in.log' },
      { line: 'a\nb', lineNumber: 9, reason: 'r', source: '-' },
    ]);
    expect(w.count).toBe(2);
  });

  it('appends to an existing file, also after close, and writes keys in a fixed order', () => {
    const path = join(tempDir(), 'rejects.jsonl');
    const a = new RejectsWriter(path);
    a.write({ source: 's', reason: 'r1', lineNumber: 1, line: 'x' });
    a.close();
    a.write({ line: 'y', lineNumber: 2, reason: 'r2', source: 's' });
    a.close();
    const b = new RejectsWriter(path);
    b.write({ line: 'z', lineNumber: 3, reason: 'r3', source: 's' });
    b.close();
    expect(readFileSync(path, 'utf8')).toBe(
      '{"line":"x","lineNumber":1,"reason":"r1","source":"s"}\n' +
        '{"line":"y","lineNumber":2,"reason":"r2","source":"s"}\n' +
        '{"line":"z","lineNumber":3,"reason":"r3","source":"s"}\n',
    );
  });

  it('writes a parser reason for a rejected line', () => {
    const path = join(tempDir(), 'rejects.jsonl');
    const w = new RejectsWriter(path);
    const line = '1.2.3.4 - - [17/May/2015:10:05:03 +0000] "-" 408 - "-" "-"';
    const r = parseApacheLine(line, { id: 'in.log:7' });
    if (r.ok) throw new Error('expected a reject');
    w.write({ line, lineNumber: 7, reason: r.reason, source: 'in.log' });
    w.close();
    expect(lines(path)).toEqual([{ line, lineNumber: 7, reason: 'no request line', source: 'in.log' }]);
  });

  it('keeps every record whole with many large records', () => {
    const path = join(tempDir(), 'rejects.jsonl');
    const w = new RejectsWriter(path);
    const big = 'q'.repeat(200_000);
    for (let i = 0; i < 50; i++) w.write({ line: big + i, lineNumber: i, reason: 'too odd', source: 'big' });
    w.close();
    const got = lines(path) as { line: string; lineNumber: number }[];
    expect(got.map((r) => r.lineNumber)).toEqual([...Array(50).keys()]);
    expect(got.every((r, i) => r.line === big + i)).toBe(true);
  });
});
