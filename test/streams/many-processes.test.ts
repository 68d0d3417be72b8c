/**
 * Done means (issue 6): the shipped access log produced into a stream, three `topo run`
 * processes of the pageviews topology on one consumer group with exactly-once views, one
 * SIGKILLed mid-run while it holds entries. The survivors claim its entries and finish; the
 * pageviews and uniques views equal the truth (computed by the tests' own reference), every
 * entry is acked and none is left pending.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt } from '../cli/run-cli.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { BIN, Cells, cleanEnv, PAGEVIEWS, ROOT, SHIPPED_LOG, topoIn, type RunSummaryJson } from '../pageviews-e2e/harness.js';
import { refEvents, truthOf, type Truth } from '../pageviews-e2e/reference.js';
import { pendingOf } from './spout-harness.js';

let server: RedisServer;
let r: Redis;
let tmp: string;
let truth: Truth;
const children: ChildProcess[] = [];

beforeAll(async () => {
  assertBuilt();
  server = await startRedis();
  r = new Redis(server.url);
  tmp = mkdtempSync(join(tmpdir(), 'topo-streams-many-'));
  truth = truthOf(refEvents(readFileSync(SHIPPED_LOG, 'utf8')).events);
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  r?.disconnect();
  await server?.dispose();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

interface Proc {
  child: ChildProcess;
  out: { stdout: string; stderr: string };
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function runner(i: number): Proc {
  const args = [
    BIN, 'run', PAGEVIEWS, '--redis', server.url, '--workers', '1', '--json', '--metrics-interval', '2s',
    '-c', 'stream=pv', '-c', 'group=pv', '-c', 'stream.start=0', '-c', 'exactlyOnce=true',
    '-c', 'stream.claimIdleMs=2000', '-c', 'stream.idleExitMs=4000', '-c', 'stream.batch=100',
    '-c', `master=${join(tmp, 'master')}`, '-c', `rejects=${join(tmp, `rejects-${i}.jsonl`)}`,
    // Each process keeps its own sessions state (stateful visitors bolt): one namespace each.
    '-c', `stateNamespace=pv-${i}`,
  ];
  const child = spawn(process.execPath, args, { cwd: ROOT, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const out = { stdout: '', stderr: '' };
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (out.stdout += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (out.stderr += s));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => child.on('close', (code, signal) => res({ code, signal })));
  return { child, out, done };
}

describe('three topo run processes on one group', () => {
  it('share the stream; after a SIGKILL of one the others finish its work; views equal the truth; nothing pending', async () => {
    const produced = await topoIn(['produce', SHIPPED_LOG, '--stream', 'pv', '--format', 'apache', '--redis', server.url, '-q'], { timeoutMs: 120_000 });
    expect(produced.code, produced.stderr).toBe(0);
    // 23 lines of the log repeat an earlier request (visitor, URL, second): not appended.
    expect(await r.xlen('pv')).toBe(truth.events);

    const procs = [runner(0), runner(1), runner(2)];
    const victim = procs[2]!;
    // Kill it once it holds entries (read, not yet acked): they must be claimed by the others.
    const tag = `-${victim.child.pid}-`;
    const deadline = Date.now() + 120_000;
    let held = 0;
    let done = 0;
    while (Date.now() < deadline) {
      const [p, info] = await Promise.all([pendingOf(r, 'pv', 'pv').catch(() => null), r.xinfo('GROUPS', 'pv').catch(() => null)]);
      held = Object.entries(p?.consumers ?? {}).find(([c]) => c.includes(tag))?.[1] ?? 0;
      const g = (info as unknown[][] | null)?.[0];
      done = g ? Number(g[g.indexOf('entries-read') + 1]) : 0;
      if (held > 0 && done >= 1000) break;
      await new Promise((res) => setTimeout(res, 20));
    }
    expect(held, victim.out.stderr.slice(-2000)).toBeGreaterThan(0);
    expect(done).toBeLessThan(truth.events); // mid-run: entries were still unread
    victim.child.kill('SIGKILL');
    expect((await victim.done).signal).toBe('SIGKILL');

    const ends = await Promise.race([
      Promise.all(procs.slice(0, 2).map((p) => p.done)),
      new Promise<never>((_, rej) => setTimeout(() => rej(new Error('survivors did not finish in 240 s')), 240_000)),
    ]);
    const summaries = procs.slice(0, 2).map((p, i) => {
      expect(ends[i]!.code, p.out.stderr.slice(-3000)).toBe(0);
      return JSON.parse(p.out.stdout.trim().split('\n').pop()!) as RunSummaryJson;
    });
    for (const s of summaries) expect(s.status).toBe('completed');

    // Every entry delivered and acked: nothing pending, nothing unread.
    expect((await pendingOf(r, 'pv', 'pv')).count).toBe(0);
    const [group] = (await r.xinfo('GROUPS', 'pv')) as unknown[][];
    expect(group![group!.indexOf('lag') + 1]).toBe(0);
    expect(group![group!.indexOf('entries-read') + 1]).toBe(truth.events);
    // Both survivors took a share (the group spread the entries).
    expect(summaries.every((s) => s.spouts['lines']!.acked > 0)).toBe(true);

    // The views equal the truth, cell by cell.
    const cells = new Cells(server.url);
    try {
      const pairs: [string, number][] = [];
      for (const url of truth.pageviews.keys()) for (const h of truth.hours) pairs.push([url, h]);
      const got = await cells.counts('pageviews', pairs);
      const wrong = pairs.map(([u, h], i) => ({ got: got[i]!, want: truth.pageviews.get(u)!.get(h) ?? 0, where: `${u} ${new Date(h).toISOString()}` }))
        .filter((c) => c.got !== c.want).map((c) => `${c.where}: ${c.got} != ${c.want}`);
      expect(wrong).toEqual([]);
      const upairs: [string, number][] = [];
      const sets: string[][] = [];
      for (const [u, m] of truth.uniques) for (const [h, set] of m) {
        upairs.push([u, h]);
        sets.push([...set]);
      }
      expect(await cells.distinct('uniques', upairs)).toEqual(await cells.hllOf(sets));
    } finally {
      cells.close();
    }

    // Three processes wrote into one master dataset without a name collision: parts by pid.
    const pids = new Set<string>();
    const walk = (d: string): void => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(d, e.name));
        else {
          const m = /-(\d+)-\d+-[0-9a-f]+/.exec(e.name);
          if (m) pids.add(m[1]!);
        }
      }
    };
    walk(join(tmp, 'master'));
    expect(pids.size).toBeGreaterThanOrEqual(2);
  }, 400_000);
});
