/**
 * Redis URLs: redis:// and rediss:// (TLS), with optional user, password, database number
 * and TLS files in the query (`rediss://user:pass@host:6380/2?tls-ca=/etc/ca.pem`, see
 * redis-tls.ts). Parsed into explicit client options, so what the CLI validated is exactly
 * what every worker thread connects with, and printed only through `maskUrl`.
 *
 * Masking works on the text as typed, not on a parsed URL: a password with an unencoded
 * `/ ? #` makes WHATWG `URL` fail, or worse split the URL elsewhere (`redis://u:12#x@h` is
 * host `u`, port 12), and a mask computed from that parse prints the password. The password
 * is whatever lies between the first `:` after `scheme://` and the last `@`.
 */
import { isIP } from 'node:net';
import type { RedisOptions } from 'ioredis';
import { RedisUsageError } from './redis-errors.js';
import { tlsOptionsOf, TLS_PARAMS } from './redis-tls.js';

const FORM = 'redis://[user:password@]host[:port][/db][?tls-ca=FILE&...]';

interface Parts {
  /** `scheme://`, or '' when the text has none. */
  readonly prefix: string;
  /** Between the prefix and the last `@` (null without an `@`). */
  readonly userinfo: string | null;
  /** After the last `@` (or after the prefix). */
  readonly rest: string;
}

function split(url: string): Parts {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/)?([\s\S]*)$/.exec(url)!;
  const prefix = m[1] ?? '';
  const body = m[2]!;
  const at = body.lastIndexOf('@');
  return at < 0 ? { prefix, userinfo: null, rest: body } : { prefix, userinfo: body.slice(0, at), rest: body.slice(at + 1) };
}

/** The password as typed (not decoded), or '' when the text holds none. */
function rawPassword(url: string): string {
  const { userinfo } = split(url);
  if (userinfo === null) return '';
  const colon = userinfo.indexOf(':');
  if (colon >= 0) return userinfo.slice(colon + 1);
  // No colon: a user name alone, unless it holds what no user name would (a password typed without the colon).
  return /[/?#%\s]/.test(userinfo) ? userinfo : '';
}

/** The URL with its password replaced by `***`, for any text (also one that does not parse). */
export function maskUrl(url: string): string {
  const { prefix, userinfo, rest } = split(url);
  const secret = rawPassword(url);
  if (userinfo === null || secret === '') return url;
  const user = userinfo.length === secret.length ? '' : userinfo.slice(0, userinfo.length - secret.length);
  return `${prefix}${user}***@${rest}`;
}

/** Remove the URL's password (as typed and percent-decoded) from a text, e.g. an error message. */
export function scrubPassword(text: string, url: string): string {
  const raw = rawPassword(url);
  if (raw === '') return text;
  let out = text.split(url).join(maskUrl(url));
  const forms = new Set([raw]);
  try {
    forms.add(decodeURIComponent(raw));
  } catch {
    /* not percent-decodable: the typed form is the only one */
  }
  for (const f of [...forms].sort((a, b) => b.length - a.length)) if (f !== '') out = out.split(f).join('***');
  return out;
}

/** Client options for a Redis URL; throws a RedisUsageError naming the (masked) URL when it is not one. */
export function redisOptionsFromUrl(url: string): RedisOptions {
  return parse(url, true);
}

/**
 * What every node of a cluster takes from the first seed URL: user, password and TLS. No
 * SNI name from that node's host: the other nodes have their own names (an explicit
 * tls-servername still applies to all).
 */
export function clusterNodeOptions(url: string): Pick<RedisOptions, 'username' | 'password' | 'tls'> {
  const o = parse(url, false);
  return {
    ...(o.username !== undefined ? { username: o.username } : {}),
    ...(o.password !== undefined ? { password: o.password } : {}),
    ...(o.tls !== undefined ? { tls: o.tls } : {}),
  };
}

function parse(url: string, sniFromHost: boolean): RedisOptions {
  const shown = maskUrl(url);
  const bad = (why: string): RedisUsageError => new RedisUsageError(`not a Redis URL: '${shown}' (${why})`);
  const { prefix, userinfo } = split(url);
  if (prefix === '') throw bad(`expected ${FORM}`);
  if (!/^rediss?:\/\/$/i.test(prefix)) throw bad('scheme must be redis:// or rediss://');
  if (userinfo !== null && /[/?#]/.test(userinfo)) {
    throw bad("the user or password holds a '/', '?' or '#' (or an '@' appears after the host): percent-encode them in the URL as %2F %3F %23 %40");
  }
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw bad(`expected ${FORM}`);
  }
  if (u.hash !== '') throw bad("a '#' must be percent-encoded as %23");
  let username: string;
  let password: string;
  try {
    username = decodeURIComponent(u.username);
    password = decodeURIComponent(u.password);
  } catch {
    throw bad("the user or password holds a '%' that starts no percent-encoding: write it as %25");
  }
  const db = u.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d+$/.test(db)) throw bad('the path must be a database number');
  // WHATWG URL keeps IPv6 hosts in brackets; the socket wants them bare.
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1';
  const tls = u.protocol === 'rediss:';
  const params: Record<string, string> = {};
  for (const [k, v] of u.searchParams) {
    if (!(k in TLS_PARAMS)) throw bad(`unknown query parameter '${k}' (known: ${Object.keys(TLS_PARAMS).join(', ')})`);
    params[k] = v;
  }
  if (!tls && Object.keys(params).length > 0) throw bad(`${Object.keys(params).join(', ')} need a TLS URL: rediss://`);
  return {
    host,
    port: u.port === '' ? 6379 : Number(u.port),
    ...(username !== '' ? { username } : {}),
    ...(password !== '' ? { password } : {}),
    ...(db !== '' ? { db: Number(db) } : {}),
    // SNI must not be an IP address (RFC 6066; Node warns): the certificate is checked against the host either way.
    ...(tls ? { tls: tlsOptionsOf(params, sniFromHost && isIP(host) === 0 ? host : undefined) } : {}),
  };
}
