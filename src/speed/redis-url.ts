/**
 * Redis URLs: redis:// and rediss:// (TLS), with optional user, password and database
 * number (`redis://user:pass@host:6379/2`). Parsed with WHATWG `URL` into explicit client
 * options, so what the CLI validated is exactly what every worker thread connects with, and
 * printed only through `maskUrl`, never with the password.
 */
import type { RedisOptions } from 'ioredis';

/** Client options for a Redis URL; throws an error naming the (masked) URL when it is not one. */
export function redisOptionsFromUrl(url: string): RedisOptions {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`not a Redis URL: '${maskUrl(url)}' (expected redis://[user:password@]host[:port][/db])`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new Error(`not a Redis URL: '${maskUrl(url)}' (scheme must be redis:// or rediss://)`);
  }
  const db = u.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d+$/.test(db)) throw new Error(`not a Redis URL: '${maskUrl(url)}' (the path must be a database number)`);
  // WHATWG URL keeps IPv6 hosts in brackets; the socket wants them bare.
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1';
  return {
    host,
    port: u.port === '' ? 6379 : Number(u.port),
    ...(u.username !== '' ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password !== '' ? { password: decodeURIComponent(u.password) } : {}),
    ...(db !== '' ? { db: Number(db) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: { servername: host } } : {}),
  };
}

/** The URL with its password replaced by `***` (also for strings `URL` cannot parse). */
export function maskUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
  }
}

/** Remove every occurrence of the URL's password from a text (e.g. an error message). */
export function scrubPassword(text: string, url: string): string {
  let password = '';
  try {
    password = decodeURIComponent(new URL(url).password);
  } catch {
    return text;
  }
  return password === '' ? text : text.split(password).join('***');
}
