/**
 * The package as a user gets it: `npm pack` of this repository, installed into a scratch
 * project outside it, and a small application of the user's own there (test/package/app: its
 * own fact, input format and two views, importing only `topo-streams`, `topo-streams/views`,
 * `topo-streams/speed` and `topo-streams/batch`). The application typechecks under strict
 * TypeScript against the package's own declarations, and the installed `topo` runs it:
 * `topo run`, `topo ingest`, `topo batch` and `topo query` give exact answers against a real
 * redis-server.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { ROOT } from '../pageviews-e2e/harness.js';

interface Ran { code: number | null; stdout: string; stderr: string }

function sh(file: string, args: readonly string[], cwd: string, timeoutMs = 120_000): Promise<Ran> {
  return new Promise((resolve) => {
    const env = { ...process.env, REDIS_URL: '', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
    execFile(file, args, { cwd, env, timeout: timeoutMs, maxBuffer: 32 * 1024 * 1024 }, (err, stdout, stderr) => {
      const e = err as (Error & { code?: number | string }) | null;
      resolve({ code: e === null ? 0 : typeof e.code === 'number' ? e.code : null, stdout, stderr: e && typeof e.code !== 'number' ? `${stderr}\n${e.message}` : stderr });
    });
  });
}

const json = <T>(r: Ran): T => JSON.parse(r.stdout.trimEnd().split('\n').pop()!) as T;

let server: RedisServer;
let work: string;
let app: string;
/** Runs the installed `topo` in the scratch project. */
const topo = (args: readonly string[]) => sh(process.execPath, [join(app, 'node_modules', '.bin', 'topo'), ...args], app);

beforeAll(async () => {
  server = await startRedis();
  work = mkdtempSync(join(tmpdir(), 'topo-pack-'));
  // dist/ is built (pretest); the scripts would build it again.
  const packed = await sh('npm', ['pack', '--ignore-scripts', '--pack-destination', work, '--json'], ROOT);
  expect(packed.code, packed.stderr).toBe(0);
  const tarball = join(work, (JSON.parse(packed.stdout) as Array<{ filename: string }>)[0]!.filename);
  app = join(work, 'app');
  mkdirSync(app);
  for (const f of readdirSync(join(ROOT, 'test', 'package', 'app'))) copyFileSync(join(ROOT, 'test', 'package', 'app', f), join(app, f));
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'clicks-app', private: true, type: 'module', dependencies: { 'topo-streams': `file:${tarball}` } }));
  const installed = await sh('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], app, 300_000);
  expect(installed.code, installed.stderr).toBe(0);
}, 360_000);

afterAll(async () => {
  await server?.dispose();
  if (work) rmSync(work, { recursive: true, force: true });
});

interface Query { value: number; buckets: Array<{ start: string; value: number; source: string }> }
const query = async (view: string, key: string, redis: string): Promise<Query> => {
  const r = await topo(['query', view, key, '-t', 'clicks.ts', '--from', '2026-01-05T10:00:00Z', '--to', '2026-01-05T10:02:00Z', '--json', '--redis', redis]);
  expect(r.code, r.stderr).toBe(0);
  return json<Query>(r);
};
const nonZero = (q: Query) => q.buckets.filter((b) => b.value !== 0 && b.source !== 'missing').map((b) => [b.start, b.value, b.source]);
/** Buckets the speed layer cannot vouch for (after the latest event it read) and no batch covers. */
const missing = (q: Query) => q.buckets.filter((b) => b.source === 'missing').map((b) => b.start);
/** 10:01:10 .. 10:02:00: the buckets of the query's range after the latest click (10:01:05). */
const AFTER_LAST = Array.from({ length: 6 }, (_, i) => new Date(Date.parse('2026-01-05T10:01:10Z') + i * 10_000).toISOString());

describe('the packed package in a project of its own', () => {
  it('ships what a user needs and nothing of the repository\'s tests', () => {
    const pkg = join(app, 'node_modules', 'topo-streams');
    const files = readdirSync(pkg);
    expect(files).toEqual(expect.arrayContaining(['dist', 'docs', 'LICENSE', 'README.md', 'package.json']));
    expect(files).not.toContain('test');
    expect(JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')).name).toBe('topo-streams');
  });

  it('typechecks the application under strict TypeScript against the package\'s declarations', async () => {
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({
      compilerOptions: {
        target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noImplicitOverride: true, noEmit: true,
        skipLibCheck: true, types: ['node'], typeRoots: [join(ROOT, 'node_modules', '@types')],
      },
      files: ['clicks.ts'],
    }));
    const r = await sh(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', app], app);
    expect(r.code, r.stdout + r.stderr).toBe(0);
  }, 120_000);

  it('topo run: realtime views of its own facts at 10 s and 1 min, and the facts in the master dataset', async () => {
    const redis = `${server.url}/1`;
    const r = await topo(['run', 'clicks.ts', '-c', 'input=clicks.txt', '-c', 'master=run-master', '--redis', redis, '--json', '-q']);
    expect(r.code, r.stderr).toBe(0);
    expect(json<{ status: string }>(r).status).toBe('completed');
    const buy = await query('clicks', 'buy', redis);
    expect(buy.value).toBe(6);
    expect(nonZero(buy)).toEqual([
      ['2026-01-05T10:00:00.000Z', 3, 'realtime'], ['2026-01-05T10:00:10.000Z', 1, 'realtime'],
      ['2026-01-05T10:00:30.000Z', 1, 'realtime'], ['2026-01-05T10:01:00.000Z', 1, 'realtime'],
    ]);
    expect(missing(buy)).toEqual(AFTER_LAST);
    expect((await query('users', 'buy', redis)).value).toBe(4); // ann, bo, cy, dee
    expect((await query('users', 'help', redis)).value).toBe(2);
    expect(readFileSync(join(app, 'rejects.jsonl'), 'utf8')).toContain('"lineNumber":7');
    expect(readdirSync(join(app, 'run-master', 'clicks'))).toEqual(['date=2026-01-05']);
  }, 120_000);

  it('topo ingest + topo batch + topo query: the batch layer recomputes the views from the facts, each counted once', async () => {
    // The same master dataset and Redis as the run: the file ingested again doubles every fact
    // on disk, and the batch input's identityOf counts each once.
    const redis = `${server.url}/1`;
    const ingest = await topo(['ingest', 'clicks.txt', '--topology', 'clicks.ts', '--format', 'pipes', '--master', 'run-master', '--rejects', 'ingest-rejects.jsonl', '--json', '-q']);
    expect(ingest.code, ingest.stderr).toBe(0);
    expect(json(ingest)).toMatchObject({ dataset: 'clicks', lines: 9, records: 8, rejected: 1 });
    const unknown = await topo(['ingest', 'clicks.txt', '--topology', 'clicks.ts', '--format', 'csv', '--master', 'run-master']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/pipes/);
    const batch = await topo(['batch', 'clicks.ts', '--master', 'run-master', '--redis', redis, '--threads', '2', '--json', '-q']);
    expect(batch.code, batch.stderr).toBe(0);
    expect(json(batch)).toMatchObject({ records: 16, events: 8, duplicates: 8 });
    // Whole buckets before the batch's watermark (the latest event, 10:01:05) come from the
    // batch view; the bucket holding it from the realtime one.
    const buy = await query('clicks', 'buy', redis);
    expect(buy.value).toBe(6);
    expect(nonZero(buy)).toEqual([
      ['2026-01-05T10:00:00.000Z', 3, 'batch'], ['2026-01-05T10:00:10.000Z', 1, 'batch'],
      ['2026-01-05T10:00:30.000Z', 1, 'batch'], ['2026-01-05T10:01:00.000Z', 1, 'realtime'],
    ]);
    expect(missing(buy)).toEqual(AFTER_LAST);
    expect((await query('clicks', 'help', redis)).value).toBe(2);
    expect((await query('users', 'buy', redis)).value).toBe(4);
  }, 180_000);
});
