// A writer killed mid-write (SIGKILL, in a child process) and two writers at once: nothing
// partial visible, nothing flushed lost, nothing twice, no name clash.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PartWriter } from '../../src/batch/master/part-writer.js';
import { recoverDataset } from '../../src/batch/master/recover.js';
import { duplicates, fixture, readDataset, tempRoot, ROOT } from './helpers.js';
import { pageviewsDataset } from '../../topologies/pageviews/dataset.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((f) => f()));

function child(args: string[]): { out: { s: string }; kill: () => void; done: Promise<number | null>; waitFor: (re: RegExp) => Promise<RegExpMatchArray> } {
  const c = spawn(process.execPath, [fixture('writer-child.mjs'), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const out = { s: '' };
  c.stdout.setEncoding('utf8').on('data', (d: string) => (out.s += d));
  const done = new Promise<number | null>((r) => c.on('close', (code) => r(code)));
  const waitFor = async (re: RegExp): Promise<RegExpMatchArray> => {
    for (let i = 0; i < 400; i++) {
      const m = re.exec(out.s);
      if (m) return m;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`child never printed ${re}: ${out.s}`);
  };
  return { out, kill: () => c.kill('SIGKILL'), done, waitFor };
}

describe.each([['plain', '0'], ['gzip', '1']])('crash mid-write (%s)', (_name, gzip) => {
  it('leaves no visible partial file; recovery keeps every flushed record once and no torn line', async () => {
    const t = tempRoot(`crash-${_name}`);
    cleanups.push(t.remove);
    const c = child([t.dir, 'c', '6', '300', 'crash', gzip, String(64 * 1024 * 1024)]);
    const ready = await c.waitFor(/ready (\d+)/);
    const flushed = Math.max(...[...c.out.s.matchAll(/flushed (\d+)/g)].map((m) => Number(m[1])));
    expect(flushed).toBe(1800);
    c.kill();
    await c.done;
    // Before recovery: nothing visible at all (nothing was rolled), the data sits in hidden temps.
    const before = readDataset(t.dir);
    expect(before.parts).toEqual([]);
    expect(before.temps.length).toBe(3);
    // A new writer (another pid) recovers on start: the child's pid is dead.
    const w = new PartWriter({ root: t.dir, dataset: pageviewsDataset });
    expect(w.recovery!.recovered.length).toBe(3);
    expect(w.recovery!.recovered.some((r) => r.cutBytes > 0)).toBe(true);
    w.close();
    const after = readDataset(t.dir); // throws on a torn line or a line that is not JSON
    expect(after.temps).toEqual([]);
    expect(duplicates(after.all)).toEqual([]);
    const ids = new Set(after.all.map((r) => r.id));
    for (let i = 0; i < flushed; i++) expect(ids.has(`c-${i}`)).toBe(true);
    expect(ids.has('c-torn')).toBe(false);
    // Written-but-unflushed lines may survive (the kernel had them), never beyond what was appended.
    for (const id of ids) expect(Number(id.slice(2))).toBeLessThan(Number(ready[1]));
    // Recovering again changes nothing: recovered parts are ordinary rolled parts.
    expect(recoverDataset(t.dir, 'pageviews', { graceMs: 0 }).recovered).toEqual([]);
  });
});

it('does not take a temp file whose writer is alive (same pid, within the grace period)', () => {
  const t = tempRoot('live');
  cleanups.push(t.remove);
  const a = new PartWriter({ root: t.dir, dataset: pageviewsDataset });
  a.append({ id: 'live', url: 'http://x/', host: 'x', path: '/', ip: '1', user: null, ts: 0, method: null, status: null, bytes: null, referrer: null, userAgent: null });
  a.flush();
  const b = new PartWriter({ root: t.dir, dataset: pageviewsDataset });
  expect(b.recovery).toEqual({ recovered: [], live: 1 });
  b.close();
  a.close();
  expect(readDataset(t.dir).all.map((r) => r.id)).toEqual(['live']);
});

it('two writers in two processes at once never collide and lose nothing', async () => {
  const t = tempRoot('two');
  cleanups.push(t.remove);
  // Small parts (64 KB) so both roll many files into the same three partitions at once.
  const a = child([t.dir, 'a', '20', '1000', 'finish', '0', '65536']);
  const b = child([t.dir, 'b', '20', '1000', 'finish', '0', '65536']);
  expect(await a.done).toBe(0);
  expect(await b.done).toBe(0);
  const view = readDataset(t.dir);
  expect(view.temps).toEqual([]);
  expect(view.all.length).toBe(40_000);
  expect(duplicates(view.all)).toEqual([]);
  expect(new Set(view.parts).size).toBe(view.parts.length);
  expect(view.parts.length).toBeGreaterThan(50);
  expect(view.byDate.size).toBe(3);
  // Parts of both writers share partitions.
  for (const d of view.byDate.keys()) {
    const ids = view.byDate.get(d)!.map((r) => r.id[0]);
    expect(new Set(ids)).toEqual(new Set(['a', 'b']));
  }
  expect(readdirSync(join(t.dir, 'pageviews')).length).toBe(3);
});
