/**
 * `topo produce` (bad lines reported with file and line, not appended; entries carry the
 * raw line, where it came from and the event's identity) and safe trimming (never below
 * what a lagging group still needs; refused without groups), through the real CLI and
 * against a real redis-server.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt } from '../cli/run-cli.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { topoIn } from '../pageviews-e2e/harness.js';
import { safeTrim, TrimRefused } from '../../src/spouts/stream-trim.js';
import { addLines } from './spout-harness.js';

let server: RedisServer;
let r: Redis;
let tmp: string;

beforeAll(async () => {
  assertBuilt();
  server = await startRedis();
  r = new Redis(server.url);
  tmp = mkdtempSync(join(tmpdir(), 'topo-streams-'));
});
afterAll(async () => {
  r?.disconnect();
  await server?.dispose();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const LINE = (ip: string, path: string, sec: number): string =>
  `${ip} - - [17/May/2015:10:05:${String(sec).padStart(2, '0')} +0000] "GET ${path} HTTP/1.1" 200 203 "-" "agent"`;

describe('topo produce', () => {
  it('appends the lines that parse, reports the others with file:line, drops a repeated request, and gives each event its identity', async () => {
    const file = join(tmp, 'small.log');
    const lines = [LINE('1.1.1.1', '/a', 1), LINE('1.1.1.1', '/b', 2), 'not a log line', '', LINE('1.1.1.1', '/a', 1), LINE('2.2.2.2', '/a', 1)];
    writeFileSync(file, lines.join('\n') + '\n');
    const rejects = join(tmp, 'rejects.jsonl');
    const res = await topoIn(['produce', file, '--stream', 'small', '--format', 'apache', '--redis', server.url, '--rejects', rejects, '--json']);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toContain(`${file}:3: `);
    expect(res.stderr).toContain('(not appended)');
    const summary = JSON.parse(res.stdout.trim().split('\n').pop()!) as { appended: number; rejected: number; skipped: number };
    expect(summary).toMatchObject({ appended: 3, rejected: 1, skipped: 1, duplicates: 1 });
    expect(JSON.parse(readFileSync(rejects, 'utf8').trim())).toMatchObject({ lineNumber: 3, line: 'not a log line' });
    const entries = (await r.xrange('small', '-', '+')) as [string, string[]][];
    // Line 5 repeats line 1 (same visitor, URL and second): counted once, so not appended.
    expect(entries.map(([, f]) => f[1])).toEqual([lines[0], lines[1], lines[5]]);
    expect(entries.map(([, f]) => f[3])).toEqual(['small.log:1', 'small.log:2', 'small.log:6']);
    const ids = entries.map(([, f]) => f[5]!);
    expect(ids.every((id) => /^[0-9a-f]{16}$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(3);
    // Producing the file again gives the same identities (exactly-once views count them once).
    const again = await topoIn(['produce', file, '--stream', 'small2', '--format', 'apache', '--redis', server.url, '--rejects', rejects, '-q']);
    expect(again.code, again.stderr).toBe(0);
    expect(((await r.xrange('small2', '-', '+')) as [string, string[]][]).map(([, f]) => f[5])).toEqual(ids);
  });

  it('is a usage error without --stream or with a bad format, and an I/O error for a missing file', async () => {
    expect((await topoIn(['produce', 'x.log', '--format', 'apache', '--redis', server.url])).code).toBe(2);
    const bad = await topoIn(['produce', 'x.log', '--stream', 's', '--format', 'csv', '--redis', server.url]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--format must be apache, jsonl or equiv/);
    const missing = await topoIn(['produce', join(tmp, 'nope.log'), '--stream', 's', '--format', 'apache', '--redis', server.url]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/nope\.log/);
  });
});

describe('safe trim', () => {
  it('never trims what a lagging group has pending or not yet read', async () => {
    const ids = await addLines(r, 'lag', 10);
    await r.xgroup('CREATE', 'lag', 'fast', '0');
    await r.xgroup('CREATE', 'lag', 'slow', '0');
    await r.xgroup('CREATE', 'lag', 'idle', '0'); // created, never read
    const fast = (await r.xreadgroup('GROUP', 'fast', 'f', 'STREAMS', 'lag', '>')) as unknown as [string, [string][]][];
    await r.xack('lag', 'fast', ...fast[0]![1].map((e) => e[0]));
    await r.xreadgroup('GROUP', 'slow', 's', 'COUNT', 6, 'STREAMS', 'lag', '>');
    await r.xack('lag', 'slow', ids[0]!, ids[1]!, ids[2]!, ids[4]!); // ids[3] still pending, 6.. unread

    const blocked = await safeTrim(r, 'lag');
    expect(blocked.removed).toBe(0); // 'idle' has read nothing
    expect(blocked.groups.find((g) => g.group === 'idle')!.keepFrom).toBe('0-1');
    expect(await r.xlen('lag')).toBe(10);

    await r.xgroup('DESTROY', 'lag', 'idle');
    const dry = await safeTrim(r, 'lag', true);
    // What the trim would do, counted: it said "10 entries left" (the length before) here.
    expect(dry).toMatchObject({ minId: ids[3], removed: 3, length: 7, approximate: false });
    expect(await r.xlen('lag')).toBe(10);
    const dryCli = await topoIn(['trim', '--stream', 'lag', '--dry-run', '--redis', server.url]);
    expect(dryCli.stdout).toContain(`would remove 3 entries below ${ids[3]}; 7 entries would be left`);
    expect(await r.xlen('lag')).toBe(10);
    const t = await safeTrim(r, 'lag');
    expect(t).toMatchObject({ minId: ids[3], removed: 3, length: 7 });
    expect((await r.xrange('lag', '-', '+')).map((e) => e[0])).toEqual(ids.slice(3));
    expect(t.groups.find((g) => g.group === 'slow')).toMatchObject({ pending: 2, oldestPending: ids[3] }) // ids[3] and ids[5];

    // Once the slow group acks ids[3], it still has ids[6..] unread: trimming stops at ids[6].
    await r.xack('lag', 'slow', ids[3]!, ids[5]!);
    expect(await safeTrim(r, 'lag')).toMatchObject({ minId: `${ids[5]!.split('-')[0]}-${Number(ids[5]!.split('-')[1]) + 1}`, removed: 3, length: 4 });
    expect((await r.xrange('lag', '-', '+')).map((e) => e[0])).toEqual(ids.slice(6));
  });

  it('refuses a stream without groups, or a missing one', async () => {
    await addLines(r, 'nogroups', 3);
    await expect(safeTrim(r, 'nogroups')).rejects.toThrow(TrimRefused);
    expect(await r.xlen('nogroups')).toBe(3);
    await expect(safeTrim(r, 'missing')).rejects.toThrow(/does not exist/);
    const cli = await topoIn(['trim', '--stream', 'nogroups', '--redis', server.url]);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(/no consumer groups/);
  });

  it('topo trim prints each group and what it removed', async () => {
    const ids = await addLines(r, 'cli', 4);
    await r.xgroup('CREATE', 'cli', 'g', '0');
    await r.xreadgroup('GROUP', 'g', 'c', 'COUNT', 2, 'STREAMS', 'cli', '>');
    await r.xack('cli', 'g', ids[0]!);
    const res = await topoIn(['trim', '--stream', 'cli', '--redis', server.url]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain(`group g: last delivered ${ids[1]}, 1 pending (oldest ${ids[1]})`);
    expect(res.stdout).toContain(`removed 1 entries below ${ids[1]}; 3 entries left`);
  });
});
