/**
 * Secrets in Redis URLs: every URL form prints its password masked (in URL errors too, for
 * strings that do not parse), and an authentication failure ends the start-up wait at once
 * with a message saying what to fix, instead of being retried for --redis-timeout.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { connectViews } from '../../src/speed/connect.js';
import { parseClusterUrls } from '../../src/speed/redis-client.js';
import { maskUrl, redisOptionsFromUrl, scrubPassword } from '../../src/speed/redis-url.js';
import { streamTarget } from '../../src/spouts/stream-connect.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';

/** [url, the secret as typed, the secret decoded]. */
const FORMS: ReadonlyArray<readonly [string, string]> = [
  ['redis://:se/cret@127.0.0.1:6390', 'se/cret'],
  ['redis://app:se/cret@127.0.0.1:6390/2', 'se/cret'],
  ['rediss://app:p@ss@cache.example:6380', 'p@ss'],
  ['redis://u:12#frag@h:1', '12#frag'],
  ['redis://u:a?b=c@h:1', 'a?b=c'],
  ['redis://:pa:ss@h:1', 'pa:ss'],
  ['redis://:p%2Fw%40rd@h:1', 'p%2Fw%40rd'],
  ['redis://:hunter2@[::1]:6379/0', 'hunter2'],
  ['rediss://u:hunter2@h:1/?tls-ca=/etc/ca.pem', 'hunter2'],
  ['redis//u:hunter2@h:1', 'hunter2'],
  ['http://u:hunter2@h:1', 'hunter2'],
  [':hunter2@h:1', 'hunter2'],
  ['redis://se/cret@h:1', 'se/cret'],
  ['redis://u:pw%zz@h:1', 'pw%zz'],
];

/** Every form the secret can take in a message. */
function leaks(text: string, secret: string): boolean {
  let decoded = secret;
  try {
    decoded = decodeURIComponent(secret);
  } catch {
    /* not decodable: the raw form is what counts */
  }
  return [secret, decoded, encodeURIComponent(decoded)].some((s) => text.includes(s));
}

describe('masking every URL form', () => {
  it.each(FORMS)('maskUrl(%s) hides the password', (url, secret) => {
    const m = maskUrl(url);
    expect(leaks(m, secret), m).toBe(false);
    expect(m).toContain('***');
  });

  it.each(FORMS)('the parse error (if any) of %s hides the password', (url, secret) => {
    let msg = '';
    try {
      redisOptionsFromUrl(url);
    } catch (err) {
      msg = (err as Error).message;
    }
    expect(leaks(msg, secret), msg).toBe(false);
  });

  it('a password with unencoded reserved characters is refused, saying how to encode it', () => {
    for (const url of ['redis://:se/cret@127.0.0.1:6390', 'redis://u:12#frag@h:1', 'redis://u:a?b@h:1']) {
      expect(() => redisOptionsFromUrl(url), url).toThrow(/percent-encode/);
    }
    expect(redisOptionsFromUrl('redis://:se%2Fcret@127.0.0.1:6390')).toMatchObject({ password: 'se/cret', port: 6390 });
    expect(redisOptionsFromUrl('redis://:p@ss@h:1')).toMatchObject({ password: 'p@ss', host: 'h' });
  });

  it('cluster seed lists and stream URLs mask every node', () => {
    const msg = ((): string => {
      try {
        parseClusterUrls('redis://:hunter2@a:1,redis://:se/cret@b:2');
        return '';
      } catch (err) {
        return (err as Error).message;
      }
    })();
    expect(msg).not.toBe('');
    expect(leaks(msg, 'se/cret') || leaks(msg, 'hunter2'), msg).toBe(false);
    expect(() => streamTarget({ 'stream.redis': 'redis://:se/cret@h:1' })).toThrow(/\*\*\*/);
    expect(() => streamTarget({ 'stream.redis': 'redis://:se/cret@h:1' })).not.toThrow(/cret/);
  });

  it('scrubPassword removes the typed and the decoded password, also for a URL that does not parse', () => {
    expect(scrubPassword('auth se/cret failed', 'redis://:se/cret@h:1')).toBe('auth *** failed');
    expect(scrubPassword('auth p/w failed', 'redis://:p%2Fw@h:1')).toBe('auth *** failed');
  });
});

let secured: RedisServer;
let clusterNode: RedisServer;
beforeAll(async () => {
  [secured, clusterNode] = await Promise.all([
    startRedis({ args: ['--requirepass', 'right/pass'] }),
    startRedis({ args: ['--requirepass', 'right/pass', '--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf'] }),
  ]);
  const admin = new Redis({ port: secured.port, password: 'right/pass' });
  await admin.call('ACL', 'SETUSER', 'limited', 'on', '>lpw', '-@all');
  admin.disconnect();
});
afterAll(async () => {
  await Promise.all([secured?.dispose(), clusterNode?.dispose()]);
});

/** connectViews' error and how long it took, with a 20 s --redis-timeout. */
async function failure(o: Parameters<typeof connectViews>[0]): Promise<{ err: Error & { exitCode?: number }; ms: number }> {
  const t0 = Date.now();
  const err = await connectViews({ redisTimeoutMs: 20_000, ...o }).then(() => new Error('connected'), (e: Error) => e);
  return { err, ms: Date.now() - t0 };
}

describe('authentication failures end at once', () => {
  it('a wrong password: exit code 1, the masked URL, what to fix', async () => {
    const { err, ms } = await failure({ url: `redis://:wrong%2Fpw@127.0.0.1:${secured.port}` });
    expect(ms).toBeLessThan(5000);
    expect(err.exitCode).toBe(1);
    expect(err.message).toContain(`authentication failed for redis://:***@127.0.0.1:${secured.port}`);
    expect(err.message).toMatch(/wrong password/);
    expect(err.message).toMatch(/redis:\/\/:PASSWORD@host:port/);
    expect(leaks(err.message, 'wrong%2Fpw')).toBe(false);
  });

  it('no password where one is required', async () => {
    const { err, ms } = await failure({ url: `redis://127.0.0.1:${secured.port}` });
    expect(ms).toBeLessThan(5000);
    expect(err.exitCode).toBe(1);
    expect(err.message).toMatch(/requires a password/);
    expect(err.message).not.toMatch(/HELLO must be called/);
  });

  it('an ACL user without the permissions topo needs (NOPERM)', async () => {
    const { err, ms } = await failure({ url: `redis://limited:lpw@127.0.0.1:${secured.port}` });
    expect(ms).toBeLessThan(5000);
    expect(err.exitCode).toBe(1);
    expect(err.message).toMatch(/user 'limited'.*no permission/);
    expect(err.message).not.toContain('lpw');
  });

  it('a wrong password for a Redis Cluster seed node, from REDIS_CLUSTER_URLS too', async () => {
    const url = `redis://:nope@127.0.0.1:${clusterNode.port}`;
    for (const o of [{ cluster: url }, { env: { REDIS_CLUSTER_URLS: url } }]) {
      const { err, ms } = await failure(o);
      expect(ms).toBeLessThan(5000);
      expect(err.exitCode).toBe(1);
      expect(err.message).toContain(`authentication failed for redis://:***@127.0.0.1:${clusterNode.port}`);
      expect(err.message).not.toContain('nope');
    }
  });

  it('a malformed URL is bad usage (exit code 2), masked', async () => {
    const { err } = await failure({ url: 'redis://:se/cret@127.0.0.1:1' });
    expect(err.exitCode).toBe(2);
    expect(leaks(err.message, 'se/cret')).toBe(false);
  });
});
