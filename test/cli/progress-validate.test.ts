// What `topo` prints besides the summary: progress lines on stderr during a run (none with
// --quiet), and the plan `topo validate` prints (components, edges, tasks per worker).
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cliFixture, topo, topologyFile } from './run-cli.js';

beforeAll(assertBuilt);

const progressLines = (stderr: string): string[] => stderr.split('\n').filter((l) => /^\[endless\] \d+s emitted /.test(l));

describe('topo run progress on stderr', () => {
  it('prints a progress line every --metrics-interval with acked, pending and failed', async () => {
    const r = await topo(['run', cliFixture('endless.ts'), '--workers', '2', '--duration', '2500ms', '--metrics-interval', '500ms']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^\[endless\] running: 2 worker threads, 2 ackers, stopping after 2500 ms$/m);
    const lines = progressLines(r.stderr);
    expect(lines.length).toBeGreaterThanOrEqual(3);
    for (const l of lines) expect(l).toMatch(/ acked \S+ \(\S+\/s\).* pending \d+ failed \d+ replayed \d+ errors \d+/);
    expect(lines.some((l) => /sink \S+\/s/.test(l))).toBe(true);
    expect(r.stderr).toMatch(/^\[endless\] stopped in \d+\.\ds: acked /m);
    expect(r.stdout).toBe(''); // no --json: stdout stays empty
  }, 30_000);

  it('prints nothing on stderr with --quiet', async () => {
    const r = await topo(['run', cliFixture('endless.ts'), '--workers', '2', '--duration', '1500ms', '--metrics-interval', '300ms', '--quiet', '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(1);
  }, 30_000);
});

describe('topo validate', () => {
  it('prints the components, the edges with their groupings and the tasks of each worker', async () => {
    const r = await topo(['validate', topologyFile('wordcount.ts'), '--workers', '2']);
    expect(r.code, r.stderr).toBe(0);
    const out = r.stdout;
    // The acker is the runtime's: hidden unless --system (its 13 edges buried the user's 3).
    expect(out).toMatch(/^topology 'wordcount': 4 components, 6 tasks \(system components hidden: __acker x2; --system shows them\)/);
    expect(out.split('\n').slice(1).join('\n')).not.toMatch(/__ack/);
    for (const [id, kind, n] of [['sentences', 'spout', 1], ['split', 'bolt', 2], ['count', 'bolt \\(basic\\)', 2], ['report', 'bolt \\(basic\\)', 1]]) {
      expect(out).toMatch(new RegExp(`^\\s+${id}\\s+${kind}\\s+x${n}\\b`, 'm'));
    }
    expect(out).toMatch(/sentences\s+--\[shuffle on default\]-->\s+split/);
    expect(out).toMatch(/split\s+--\[fields\(word\) on default\]-->\s+count/);
    expect(out).toMatch(/count\s+--\[global on totals\]-->\s+report/);
    expect(out).toMatch(/^workers: 2$/m);
    const workers = out.split('\n').filter((l) => /^\s+worker \d+:/.test(l));
    expect(workers).toHaveLength(2);
    // Every user task is placed on exactly one worker.
    const placed = (workers.join(' ').match(/\b(sentences|split|count|report)\[\d+\]/g) ?? []).map((t) => t.replace(/\[\d+\]$/, ''));
    expect(placed.sort()).toEqual(['count', 'count', 'report', 'sentences', 'split', 'split']);
  }, 20_000);

  it('uses the same config precedence as run: --workers 3 plans three workers', async () => {
    const r = await topo(['validate', topologyFile('wordcount.ts'), '-c', 'workers=2', '--workers', '3']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^workers: 3$/m);
    expect(r.stdout.split('\n').filter((l) => /^\s+worker \d+:/.test(l))).toHaveLength(3);
  }, 20_000);

  it('exits 1 with every problem of an invalid topology', async () => {
    const r = await topo(['validate', cliFixture('bad-fields.ts'), '--workers', '2']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/topology 'bad-fields' is invalid \(1 problem\):\n\s+- bolt 'by-id': fields grouping on 'counter' stream 'default' uses field 'id', which the stream does not declare \(fields: n\)/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // a user error: no stack trace
  }, 20_000);

  it('exits 2 on a bad flag', async () => {
    const r = await topo(['validate', topologyFile('wordcount.ts'), '--workers', 'two']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--workers must be an integer >= 1, got 'two'/);
  }, 20_000);
});
