// normalizeUrl's fast path (no URL parser for simple URLs) must give exactly what the parser
// path gives. The reference below is the parser path as it stands in normalize-url.ts.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { domainOf, normalizeUrl, normalizeWithDomain } from '../../topologies/pageviews/normalize-url.js';
import { parseApacheLine } from '../../topologies/pageviews/parse-apache.js';

function reference(raw: string): string | null {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return null;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
  u.hash = '';
  const kept = new URLSearchParams();
  for (const [name, value] of u.searchParams) {
    const n = name.toLowerCase();
    if (!(n.startsWith('utm_') || n === 'fbclid' || n === 'gclid')) kept.append(name, value);
  }
  kept.sort();
  u.search = kept.toString();
  let end = u.pathname.length;
  while (end > 1 && u.pathname[end - 1] === '/') end--;
  if (end !== u.pathname.length) u.pathname = u.pathname.slice(0, end);
  return u.href;
}

function check(raw: string): void {
  const want = reference(raw);
  expect(normalizeUrl(raw), raw).toBe(want);
  const both = normalizeWithDomain(raw);
  if (want === null) expect(both, raw).toBeNull();
  else expect(both, raw).toEqual({ url: want, domain: domainOf(want) });
}

const EDGE = [
  'http://a.com', 'http://a.com/', 'http://a.com//', 'http://a.com/x/', 'http://a.com/x//', 'http://a.com//x',
  'https://a.com/x', 'HTTP://a.com/x', 'http://A.com/x', 'http://a.com:80/x', 'http://a.com:8080/x',
  'http://a.com/./x', 'http://a.com/../x', 'http://a.com/x/.', 'http://a.com/x/..', 'http://a.com/x/.y', 'http://a.com/x..y/',
  'http://a.com/.', 'http://a.com/..', 'http://a.com/...', 'http://a.com/%2e/x', 'http://a.com/a b', 'http://a.com/x?', 'http://a.com/x#',
  'http://1.2.3.4/x', 'http://0x7f.1/x', 'http://127.1/x', 'http://a.1/x', 'http://a.b1/x', 'http://1a.b/x', 'http://xn--nxasmq6b.com/x',
  'http://xn--a.com/', 'http://a-.com/', 'http://-a.com/', 'http://a--b.com/', 'http://localhost', 'http://a.com./x', 'http://a..com/x',
  'http://user@a.com/x', 'ftp://a.com/x', 'mailto:x@a.com', '/x', '', 'http://', 'http:///x', 'http://a.com/~u/', 'http://a.com/A_B-c.D~e',
];

describe('normalizeUrl fast path', () => {
  it('agrees with the URL parser on edge cases', () => {
    for (const raw of EDGE) check(raw);
  });

  it('agrees with the URL parser on every URL of the shipped log', () => {
    const lines = readFileSync(new URL('../../topologies/data/apache_logs.log', import.meta.url), 'utf8').split('\n');
    let n = 0;
    for (const [i, line] of lines.entries()) {
      const r = parseApacheLine(line, { id: `l:${i}`, host: 'semicomplete.com' });
      if (!r.ok) continue;
      check(r.event.url);
      n++;
    }
    expect(n).toBeGreaterThan(9000);
  });

  it('agrees with the URL parser on random URLs built from risky pieces', () => {
    const hosts = ['a.com', 'A.com', 'a.1', '1.a', 'xn--a.b', 'a-b.c', 'localhost', '0x1.a', 'a.0x1', 'b.c.d'];
    const segs = ['', '.', '..', 'x', 'X~_-', '%2e', 'a.b', '...', '.x', 'x.', 'é', ' ', '?', '#', 'q=1'];
    let seed = 42;
    const pick = <T>(a: readonly T[]): T => a[(seed = (seed * 1103515245 + 12345) & 0x7fffffff) % a.length]!;
    for (let i = 0; i < 5000; i++) {
      let path = '';
      const depth = (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % 5;
      for (let d = 0; d < depth; d++) path += `/${pick(segs)}`;
      check(`${pick(['http', 'https'])}://${pick(hosts)}${path}`);
    }
  });
});
