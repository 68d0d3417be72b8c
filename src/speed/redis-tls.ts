/**
 * TLS settings for rediss:// URLs: a private CA, a client certificate and key, the name the
 * server's certificate is checked against. They travel IN the URL's query
 * (`rediss://h:6380?tls-ca=/etc/ca.pem&tls-cert=...&tls-key=...&tls-servername=redis.internal`),
 * because the URL is the one value every consumer already receives: the config key `redis`
 * that worker threads open their writers with, `stream.redis`, REDIS_URL, cluster seed
 * lists, the serving layer, and the batch pool threads (which get the parsed options, file
 * contents included). The `--redis-tls-*` flags of every command only add these parameters
 * (withTlsFlags), with paths made absolute so any thread reads the same files.
 *
 * Files are read when a URL is turned into client options and checked there by building a
 * TLS context, so a missing file, a non-PEM file or a key that does not match its
 * certificate is a usage error naming the option and the file before any connection.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createSecureContext, type ConnectionOptions } from 'node:tls';
import { RedisUsageError } from './redis-errors.js';

/** Query parameter -> the flag that sets it and whether it names a file. */
export const TLS_PARAMS = {
  'tls-ca': { flag: '--redis-tls-ca', file: true },
  'tls-cert': { flag: '--redis-tls-cert', file: true },
  'tls-key': { flag: '--redis-tls-key', file: true },
  'tls-servername': { flag: '--redis-tls-servername', file: false },
} as const;

type Param = keyof typeof TLS_PARAMS;

/** The `--redis-tls-*` flags of a command. */
export interface RedisTlsFlags {
  readonly ca?: string | undefined;
  readonly cert?: string | undefined;
  readonly key?: string | undefined;
  readonly servername?: string | undefined;
}

const FLAG_PARAM: ReadonlyArray<readonly [keyof RedisTlsFlags, Param]> = [
  ['ca', 'tls-ca'], ['cert', 'tls-cert'], ['key', 'tls-key'], ['servername', 'tls-servername'],
];

export function tlsFlagsGiven(flags: RedisTlsFlags | undefined): boolean {
  return flags !== undefined && FLAG_PARAM.some(([f]) => flags[f] !== undefined);
}

/** Percent-encode a query value, but keep `/` readable (it is legal in a query). */
function encodeValue(v: string): string {
  return encodeURIComponent(v).replace(/%2F/gi, '/');
}

/**
 * `url` with the flags' TLS parameters set (replacing the URL's own); throws a usage error
 * when flags are given for a URL that is not rediss://. Call after the URL parsed.
 */
export function withTlsFlags(url: string, flags: RedisTlsFlags | undefined, cwd = process.cwd()): string {
  if (!tlsFlagsGiven(flags)) return url;
  const given = FLAG_PARAM.filter(([f]) => flags![f] !== undefined);
  if (!/^rediss:\/\//i.test(url.trim())) {
    throw new RedisUsageError(`${given.map(([, p]) => TLS_PARAMS[p].flag).join(', ')} need a TLS URL: rediss://host:port (the Redis URL given is not)`);
  }
  const q = url.indexOf('?');
  const kept = q < 0 ? [] : url.slice(q + 1).split('&').filter((kv) => kv !== '' && !given.some(([, p]) => kv.split('=')[0] === p));
  const added = given.map(([f, p]) => {
    const v = flags![f]!;
    if (v === '') throw new RedisUsageError(`${TLS_PARAMS[p].flag} must not be empty`);
    return `${p}=${encodeValue(TLS_PARAMS[p].file ? resolve(cwd, v) : v)}`;
  });
  return `${q < 0 ? url : url.slice(0, q)}?${[...kept, ...added].join('&')}`;
}

function readPem(param: Param, file: string): string {
  const name = `${TLS_PARAMS[param].flag} (${param} in the URL)`;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new RedisUsageError(`${name}: cannot read '${file}': ${e.code ?? ''} ${e.code === 'ENOENT' ? 'no such file' : e.code === 'EISDIR' ? 'a directory, not a file' : e.message}`.replace(/ {2,}/g, ' ').trim());
  }
  if (!/-----BEGIN [A-Z0-9 ]+-----/.test(text)) throw new RedisUsageError(`${name}: '${file}' is not a PEM file (no -----BEGIN ...----- block)`);
  return text;
}

const cache = new Map<string, ConnectionOptions>();

/**
 * Node TLS options for a rediss:// URL's parameters (file contents as strings: they cross
 * to worker threads intact). `sniHost` is the default servername (undefined for an IP).
 */
export function tlsOptionsOf(params: Readonly<Record<string, string>>, sniHost: string | undefined): ConnectionOptions {
  const memo = JSON.stringify([params, sniHost ?? null]);
  const known = cache.get(memo);
  if (known !== undefined) return known;
  const o: { ca?: string; cert?: string; key?: string; servername?: string } = {};
  for (const [p, v] of Object.entries(params) as Array<[Param, string]>) {
    if (v === '') throw new RedisUsageError(`${TLS_PARAMS[p].flag} (${p} in the URL) must not be empty`);
    if (p === 'tls-servername') o.servername = v;
    else o[p === 'tls-ca' ? 'ca' : p === 'tls-cert' ? 'cert' : 'key'] = readPem(p, v);
  }
  if ((o.cert === undefined) !== (o.key === undefined)) {
    throw new RedisUsageError(`${o.cert === undefined ? '--redis-tls-key' : '--redis-tls-cert'} needs ${o.cert === undefined ? '--redis-tls-cert' : '--redis-tls-key'} too (a client certificate and its private key)`);
  }
  try {
    createSecureContext(o); // what the handshake would throw on: an unparsable PEM, a key not matching its certificate
  } catch (err) {
    const files = Object.entries(params).filter(([p]) => TLS_PARAMS[p as Param].file).map(([p, f]) => `${TLS_PARAMS[p as Param].flag} '${f}'`);
    throw new RedisUsageError(`TLS files not usable (${files.join(', ')}): ${(err as Error).message}`);
  }
  const out: ConnectionOptions = { ...o, ...(o.servername === undefined && sniHost !== undefined ? { servername: sniHost } : {}) };
  cache.set(memo, out);
  return out;
}
