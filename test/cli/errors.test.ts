// How topo tells a user what went wrong: exit codes as the README's CLI section documents
// (2 bad usage, 1 failed), errors pointing at the user's own file and line, no internal stack
// trace unless --verbose, a closed pipe (`topo keys VIEW | head`) as a quiet exit 0, and the
// smaller lies found by a new user (help texts, ignored flags, a buried plan).
import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { cleanEnv, PAGEVIEWS, topoIn } from '../pageviews-e2e/harness.js';
import { assertBuilt, cliFixture, ROOT, tempDir, topo, topologyFile, type CliResult } from './run-cli.js';

const BIN = join(ROOT, 'dist', 'cli', 'bin.js');
const WORDCOUNT = topologyFile('wordcount.ts');
const STACK = /\n\s+at /;

let server: RedisServer;
let tmp: ReturnType<typeof tempDir>;

beforeAll(async () => {
  assertBuilt();
  tmp = tempDir('errors');
  server = await startRedis();
  // Views to read: the shipped log through the pageviews topology.
  const r = await topoIn(['run', PAGEVIEWS, '--redis', server.url, '-q', '-c', `master=${join(tmp.dir, 'master')}`, '-c', `rejects=${join(tmp.dir, 'rejects.jsonl')}`], { timeoutMs: 120_000 });
  if (r.code !== 0) throw new Error(`pageviews run failed: ${r.stderr.slice(-2000)}`);
}, 150_000);
afterAll(async () => {
  await server?.dispose();
  tmp?.remove();
});

/** Run topo with its stdout closed before it writes: every write meets EPIPE. */
function closedStdout(args: readonly string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('close', (code, signal) => resolve({ code, signal, stdout: '', stderr }));
  });
}

function topoAt(cwd: string, args: readonly string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd, env: cleanEnv(), timeout: 60_000 }, (err, stdout, stderr) => {
      const e = err as (Error & { code?: number }) | null;
      resolve({ code: e === null ? 0 : typeof e.code === 'number' ? e.code : null, signal: null, stdout, stderr });
    });
  });
}

describe('a closed pipe ends the output quietly: exit 0, nothing on stderr', () => {
  it.each([
    ['topo keys pageviews | head', ['keys', 'pageviews', '-t', PAGEVIEWS]],
    ['topo query ... | head -1', ['query', 'pageviews', 'http://semicomplete.com/', '-t', PAGEVIEWS]],
    ['topo validate --json | head', ['validate', WORDCOUNT, '--json']],
  ])('%s', async (_name, args) => {
    const r = await closedStdout([...args, ...(args[0] === 'validate' ? [] : ['--redis', server.url])]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  }, 60_000);
});

describe('exit codes as documented: 2 for bad usage, before any connection', () => {
  it.each([
    ['run', ['run', 'topologies/no-such.ts']],
    ['validate', ['validate', 'topologies/no-such.ts']],
    ['batch', ['batch', 'topologies/no-such.ts', '--redis', 'redis://127.0.0.1:1']],
    ['serve', ['serve', '-t', 'topologies/no-such.ts', '--port', '0']],
    ['query', ['query', 'pageviews', 'x', '-t', 'topologies/no-such.ts']],
  ])('a missing topology file (%s) exits 2 naming it', async (_name, args) => {
    const r = await topo(args);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/topology file not found: topologies\/no-such\.ts/);
  }, 30_000);

  it.each([
    ['run', ['run', PAGEVIEWS]],
    ['query', ['query', 'pageviews', 'http://a.example/', '-t', PAGEVIEWS]],
    ['batch', ['batch', PAGEVIEWS, '--master', ROOT]],
    ['trim', ['trim', '--stream', 's']],
  ])('--redis http:// (%s) exits 2', async (_name, args) => {
    const r = await topo([...args, '--redis', 'http://127.0.0.1:6379']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/not a Redis URL: 'http:\/\/127\.0\.0\.1:6379'/);
  }, 30_000);

  it('topo batch --master /nonexistent exits 2 naming the path, without waiting for Redis', async () => {
    const started = Date.now();
    const r = await topo(['batch', PAGEVIEWS, '--master', '/nonexistent/master', '--redis', 'redis://127.0.0.1:1', '--redis-timeout', '30s']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/--master \/nonexistent\/master: the master dataset root does not exist/);
    expect(Date.now() - started).toBeLessThan(20_000);
  }, 30_000);

  it('-w above 4 per core (at most 256) exits 2 saying why; so does -c workers=', async () => {
    const flag = await topo(['run', WORDCOUNT, '-w', '9999']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/--workers 9999 is above the limit of \d+ \(4 per core on \d+ core\(s\), at most 256\): more threads only compete for the cores/);
    const config = await topo(['run', WORDCOUNT, '-c', 'workers=9999']);
    expect(config.code).toBe(2);
    expect(config.stderr).toMatch(/invalid configuration of topology 'wordcount' \(.*wordcount\.ts\):\n\s+workers: 9999 is above the limit/);
  }, 30_000);

  it('topo keys refuses --from/--to (it lists every bucket; they were ignored)', async () => {
    const r = await topo(['keys', 'pageviews', '-t', PAGEVIEWS, '--from', '2015-05-17']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/topo keys lists every key of every bucket the view holds: --from does not apply/);
  });
});

describe('errors point at the user\'s file and line; stacks only with --verbose', () => {
  it('a throw while the topology file loads names the .ts line, not the bundle', async () => {
    const r = await topo(['run', cliFixture('throws-at-load.ts')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot load .*throws-at-load\.ts: Error: missing setting TOPO_TEST_SETTING_NEVER_SET \(at .*test\/fixtures\/cli\/throws-at-load\.ts:7:\d+\)/);
    expect(r.stderr).not.toMatch(/topo-bundles|\.mjs/);
    expect(r.stderr).not.toMatch(STACK);
    // topo query loads the file without source maps (cheaper) and maps only a failed load.
    const q = await topo(['query', 'pageviews', 'x', '-t', cliFixture('throws-at-load.ts')]);
    expect(q.code).toBe(1);
    expect(q.stderr).toMatch(/cannot load .*throws-at-load\.ts: Error: missing setting TOPO_TEST_SETTING_NEVER_SET \(at .*test\/fixtures\/cli\/throws-at-load\.ts:7:\d+\)/);
    const v = await topo(['run', cliFixture('throws-at-load.ts'), '--verbose']);
    expect(v.code).toBe(1);
    expect(v.stderr).toMatch(/\n\s+at requireSetting \(.*throws-at-load\.ts:7:\d+\)/);
  }, 30_000);

  it('a missing default export names the file, not topo-entry.js', async () => {
    const r = await topo(['run', cliFixture('no-default-export.ts')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no-default-export\.ts has no default export: it must end with `export default builder\.build\('name'\)`/);
    expect(r.stderr).not.toMatch(/topo-entry/);
  }, 30_000);

  it('a prepare that throws: the error and its line in the user\'s file, the stack with --verbose', async () => {
    const r = await topo(['run', cliFixture('prepare-throws.ts'), '--workers', '2']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/component 'needs-db' \(task \d+\) failed to start: Error: database unreachable \(at .*prepare-throws\.ts:\d+:\d+\)/);
    expect(r.stderr).not.toMatch(STACK);
    const v = await topo(['run', cliFixture('prepare-throws.ts'), '--workers', '2', '--verbose']);
    expect(v.stderr).toMatch(/\n\s+at NeedsDatabase\.prepare \(.*prepare-throws\.ts:\d+:\d+\)/);
  }, 30_000);
});

describe('the smaller lies', () => {
  it('--to says what it defaults to: the latest bucket held', async () => {
    const r = await topo(['query', '--help']);
    expect(r.stdout.replace(/\s+/g, ' ')).toMatch(/--to <time> range end \(default: the end of the latest bucket the view holds, else now\)/);
  });

  it('topo top without -t where there is no topologies/pageviews.ts says how to name one', async () => {
    const r = await topoAt(tmp.dir, ['top', 'pageviews']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no topologies\/pageviews\.ts here \(.*\): name the topology file whose views to read with -t FILE/);
  });

  it('topo validate --system shows the acker the plain output hides', async () => {
    const r = await topo(['validate', WORDCOUNT, '--workers', '2', '--system']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^topology 'wordcount': 5 components, 8 tasks$/m);
    expect(r.stdout).toMatch(/__acker\s+bolt \(system\)\s+x2/);
    expect(r.stdout).toMatch(/sentences\s+--\[ackerRoot on __ack_init\]-->\s+__acker/);
  });

  it('the wordcount example prints its top 10 words at the end, without -c output', async () => {
    const r = await topo(['run', WORDCOUNT, '--workers', '2', '-q']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/\[wordcount\] top 10 of 27 words; every count: -c output=FILE\n\s+4  the\n\s+2  and\n\s+2  seven\n/);
  }, 30_000);
});
