/**
 * What every command that takes --redis prints and exits with when the credentials are
 * wrong: at once (not after --redis-timeout, here the default 30 s), exit 1, the URL with its
 * password masked, what to fix, no stack trace. A password that cannot be in a URL as typed
 * is bad usage (exit 2), masked too.
 */
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, topo, topologyFile } from '../cli/run-cli.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';

const PAGEVIEWS = topologyFile('pageviews.ts');

/** Each command's arguments before `--redis URL`. */
const COMMANDS: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['run', ['run', PAGEVIEWS, '-q']],
  ['produce', ['produce', '-', '--stream', 's', '--format', 'apache']],
  ['trim', ['trim', '--stream', 's']],
  ['query', ['query', 'pageviews', 'http://semicomplete.com/', '-t', PAGEVIEWS]],
  ['top', ['top', 'pageviews', '-t', PAGEVIEWS]],
  ['keys', ['keys', 'pageviews', '-t', PAGEVIEWS]],
  ['serve', ['serve', '-t', PAGEVIEWS, '--port', '0']],
  // An existing (empty) master root: a missing one is refused (exit 2) before Redis is tried.
  ['batch', ['batch', PAGEVIEWS, '--master', tmpdir()]],
];

let server: RedisServer;
beforeAll(async () => {
  assertBuilt();
  server = await startRedis({ args: ['--requirepass', 'the/right:pass'] });
});
afterAll(async () => {
  await server?.dispose();
});

async function timed(args: readonly string[]): Promise<Awaited<ReturnType<typeof topo>> & { ms: number }> {
  const t0 = Date.now();
  const r = await topo(args, 45_000);
  return { ...r, ms: Date.now() - t0 };
}

function expectNoStack(text: string): void {
  expect(text).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/);
}

describe.each(COMMANDS)('topo %s', (_name, args) => {
  it('a wrong password ends at once with exit 1 and what to fix', async () => {
    const r = await timed([...args, '--redis', `redis://:wr%2Fong@127.0.0.1:${server.port}`]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.ms).toBeLessThan(10_000);
    expect(r.stderr).toContain(`authentication failed for redis://:***@127.0.0.1:${server.port}: wrong password`);
    expect(r.stderr).toContain('redis://:PASSWORD@host:port');
    expect(`${r.stdout}${r.stderr}`).not.toMatch(/wr%2Fong|wr\/ong/);
    expectNoStack(r.stderr);
  });

  it('no password ends at once, saying one is required', async () => {
    const r = await timed([...args, '--redis', `redis://127.0.0.1:${server.port}`]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.ms).toBeLessThan(10_000);
    expect(r.stderr).toMatch(/requires a password and the URL has none/);
    expect(r.stderr).not.toMatch(/HELLO must be called/);
    expectNoStack(r.stderr);
  });

  it("a '/' typed in the password is bad usage (exit 2), printed masked", async () => {
    const r = await timed([...args, '--redis', `redis://:se/cret@127.0.0.1:${server.port}`]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/percent-encode/);
    expect(r.stderr).toContain('redis://:***@');
    expect(`${r.stdout}${r.stderr}`).not.toMatch(/se\/cret|cret@/);
    expectNoStack(r.stderr);
  });
});
