/**
 * A part's binary form (master/binary-form.ts, read by part-records.ts) is only a faster way
 * to read the JSON Lines: the first read writes it, the next reads it, and both give the same
 * records, the same bad lines (same numbers, same order) and apply the current check. A form
 * that no longer matches its part (changed, cut short) is not read but written again, and
 * values msgpackr would not give back exactly get no form at all.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { binaryPathOf, writeBinaryForm } from '../../src/batch/master/binary-form.js';
import { readPartRecords } from '../../src/batch/part-records.js';
import type { BadRecordError, RecordCheck } from '../../src/batch/reader.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'topo-part-records-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const check: RecordCheck = (v) => (typeof v === 'object' && v !== null && typeof (v as { ts?: unknown }).ts === 'number' ? null : 'no ts');

async function read(file: string, c: RecordCheck = check): Promise<{ records: unknown[]; bad: string[] }> {
  const records: unknown[] = [];
  const bad: string[] = [];
  for await (const chunk of readPartRecords<unknown>(file, (e: BadRecordError) => bad.push(e.message), c)) records.push(...chunk);
  return { records, bad };
}

const LINES = [
  JSON.stringify({ id: 'a', url: 'http://h/é', ts: 1431857134000, n: 1.5, big: 2 ** 53 - 1, neg: -7, user: null, tags: ['x', { y: 2 }] }),
  '',
  '{"id": "b", "ts": 2, "extra": true}',
  'not json',
  '{"id": "c"}',
  '{"ts": 3, "id": "d", "url": "http://h/"}',
];

describe('binary form of a part', () => {
  it('is written by the first read and read by the next, with the same records and bad lines', async () => {
    const part = join(dir, 'part-1.jsonl');
    writeFileSync(part, `${LINES.join('\n')}\n`);
    const first = await read(part);
    expect(existsSync(binaryPathOf(part))).toBe(true);
    expect(first.records).toEqual([1, 3, 6].map((l) => JSON.parse(LINES[l - 1]!)));
    expect(first.bad).toEqual([expect.stringMatching(/part-1\.jsonl:4: not JSON/), `${part}:5: no ts`]);
    const again = await read(part);
    expect(again).toEqual(first);
    expect(Object.keys(again.records[0] as object)).toEqual(Object.keys(first.records[0] as object));
    // A form matching the part's size and time is what is read (here one written by hand).
    expect(writeBinaryForm(part, statSync(part), [{ ts: 9 }], null, [])).toBe(true);
    expect(await read(part)).toEqual({ records: [{ ts: 9 }], bad: [] });
    expect(writeBinaryForm(part, statSync(part), [{ ts: 1 }, { ts: 2 }, { ts: 3 }], [1, 3, 9], [[2, 'not JSON (x)']])).toBe(true);
    expect(await read(part)).toEqual({ records: [{ ts: 1 }, { ts: 2 }, { ts: 3 }], bad: [`${part}:2: not JSON (x)`] });
    rmSync(binaryPathOf(part));
    expect(await read(part)).toEqual(first);
    // The check is today's: a stricter one rejects records the form holds.
    const strict = await read(part, (v) => ((v as { url?: unknown }).url === undefined ? 'no url' : check(v)));
    expect(strict.bad).toContain(`${part}:3: no url`);
  });

  it('is read again from the JSON Lines and rewritten when the part changed or the form is cut short', async () => {
    const part = join(dir, 'part-2.jsonl');
    writeFileSync(part, '{"ts": 1}\n');
    await read(part);
    writeFileSync(part, '{"ts": 1}\n{"ts": 2}\n');
    const later = new Date(Date.now() + 5000);
    utimesSync(part, later, later);
    expect((await read(part)).records).toEqual([{ ts: 1 }, { ts: 2 }]);
    expect((await read(part)).records).toEqual([{ ts: 1 }, { ts: 2 }]);
    truncateSync(binaryPathOf(part), 20);
    expect((await read(part)).records).toEqual([{ ts: 1 }, { ts: 2 }]);
    expect(readFileSync(binaryPathOf(part)).length).toBeGreaterThan(20);
  });

  it('holds a large part as chunks, read back in order', async () => {
    const part = join(dir, 'part-big.jsonl');
    const lines = Array.from({ length: 12_000 }, (_, i) => (i % 5000 === 7 ? 'oops' : JSON.stringify({ ts: i, pad: 'x'.repeat(300), n: i % 3 === 0 ? null : i / 7 })));
    writeFileSync(part, `${lines.join('\n')}\n`);
    const first = await read(part);
    expect(first.records).toHaveLength(12_000 - 3);
    expect(first.bad).toEqual([7, 5007, 10007].map((i) => `${part}:${i + 1}: not JSON (${String(first.bad[0]).split('not JSON (')[1]}`));
    const header = readFileSync(binaryPathOf(part)).toString('latin1', 12, 400);
    expect(header).toMatch(/"chunks":\[\[\d+,\d+\],\[/); // more than one
    expect(await read(part)).toEqual(first);
  });

  it('is not written for values it would not keep exactly', async () => {
    for (const [i, line] of ['{"ts": -0}', '{"ts": 1, "s": "\\ud800"}', '{"ts": 1, "__proto__": {"x": 1}}'].entries()) {
      const part = join(dir, `part-x${i}.jsonl`);
      writeFileSync(part, `${line}\n`);
      const { records } = await read(part);
      expect(records).toEqual([JSON.parse(line)]);
      expect(existsSync(binaryPathOf(part))).toBe(false);
    }
  });
});
