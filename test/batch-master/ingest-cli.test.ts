// `topo ingest` through the real CLI (dist/cli/bin.js): the shipped log, bad lines, stdin,
// usage errors.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, topo, topologyFile } from '../cli/run-cli.js';
import { duplicates, fileStates, fixture, readDataset, tempRoot, ROOT } from './helpers.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((f) => f()));
beforeAll(assertBuilt);
function root(tag: string): string {
  const t = tempRoot(tag);
  cleanups.push(t.remove);
  return t.dir;
}

describe('topo ingest', () => {
  it('writes all 10,000 lines of the shipped log, and a second ingest leaves the first parts untouched', async () => {
    const dir = root('shipped');
    const log = topologyFile('data/apache_logs.log');
    const r = await topo(['ingest', log, '--format', 'apache', '--master', dir, '--rejects', join(dir, 'rej.jsonl'), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout.trim().split('\n').pop()!) as { records: number; rejected: number; lines: number };
    expect(s).toMatchObject({ records: 10_000, rejected: 0, lines: 10_000 });
    const view = readDataset(dir);
    expect(view.all.length).toBe(10_000);
    expect(duplicates(view.all)).toEqual([]);
    expect(view.all.find((x) => x.id === 'apache_logs.log:1')).toMatchObject({ host: 'semicomplete.com', ip: '83.149.9.216', method: 'GET', status: 200 });
    const before = fileStates(view.parts);
    const again = await topo(['ingest', log, '--format', 'apache', '-c', `master=${dir}`, '--rejects', join(dir, 'rej.jsonl'), '-q']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/^ingested 10000 records .* 0 rejected/);
    expect(fileStates(view.parts)).toEqual(before);
    expect(readDataset(dir).all.length).toBe(20_000);
  });

  it('reports bad lines with their numbers and reasons, to stderr and the rejects file, and writes only good ones', async () => {
    const dir = root('bad');
    const rejects = join(dir, 'rejects.jsonl');
    const r = await topo(['ingest', fixture('bad-lines.log'), '--format', 'apache', '--master', dir, '--rejects', rejects]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('line 2: line does not start with client');
    expect(r.stderr).toContain('line 5: time is not');
    expect(r.stderr).toContain('line 6: no request line');
    expect(r.stdout).toMatch(/ingested 3 records .*7 lines, 3 rejected .*1 blank/);
    const rej = readFileSync(rejects, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { lineNumber: number; line: string });
    expect(rej.map((x) => x.lineNumber)).toEqual([2, 5, 6]);
    expect(rej[0]!.line).toBe('this is not a log line');
    expect(readDataset(dir).all.map((x) => x.path).sort()).toEqual(['/ok1', '/ok2', '/ok3']);
  });

  it('reads stdin with -', async () => {
    const dir = root('stdin');
    const c = spawn(process.execPath, [join(ROOT, 'dist/cli/bin.js'), 'ingest', '-', '--format', 'jsonl', '--master', dir, '--rejects', join(dir, 'r.jsonl')], { cwd: ROOT });
    let out = '';
    let err = '';
    c.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    c.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    c.stdin.end(readFileSync(fixture('midnight.jsonl'), 'utf8') + 'not json\n');
    const code = await new Promise<number | null>((res) => c.on('close', res));
    expect(code, err).toBe(0);
    expect(err).toContain('line 4: not valid JSON');
    expect(out).toMatch(/ingested 3 records from stdin/);
    const view = readDataset(dir);
    expect(view.all.map((x) => x.id).sort()).toEqual(['stdin:1', 'stdin:2', 'stdin:3']);
    expect(view.all.find((x) => x.id === 'stdin:2')).toMatchObject({ user: 'u2', ip: 'v2', host: 'shop.example', method: null });
  });

  it('exits 2 on bad usage and 1 on an unreadable input', async () => {
    const dir = root('usage');
    expect((await topo(['ingest', fixture('bad-lines.log'), '--master', dir])).code).toBe(2); // no --format
    expect((await topo(['ingest', fixture('bad-lines.log'), '--format', 'xml', '--master', dir])).code).toBe(2);
    const missing = await topo(['ingest', join(dir, 'nope.log'), '--format', 'apache', '--master', dir]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/ENOENT/);
    expect(readDataset(dir).parts).toEqual([]);
  });
});
