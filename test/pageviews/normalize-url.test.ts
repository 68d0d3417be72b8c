import { describe, expect, it } from 'vitest';
import { domainOf, normalizeUrl } from '../../topologies/pageviews/index.js';

// Expected values are written by hand from the rules, not produced by the code under test.
const CASES: [string, string | null][] = [
  // scheme and host case, default ports
  ['HTTP://SemiComplete.COM/Blog', 'http://semicomplete.com/Blog'],
  ['http://semicomplete.com:80/a', 'http://semicomplete.com/a'],
  ['https://semicomplete.com:443/a', 'https://semicomplete.com/a'],
  ['http://semicomplete.com:443/a', 'http://semicomplete.com:443/a'],
  ['https://a.com:8443/', 'https://a.com:8443/'],
  // fragment
  ['http://a.com/x#top', 'http://a.com/x'],
  ['http://a.com/#', 'http://a.com/'],
  // trailing slash: trimmed, except the root
  ['http://a.com/', 'http://a.com/'],
  ['http://a.com', 'http://a.com/'],
  ['http://a.com/x/', 'http://a.com/x'],
  ['http://a.com/x/y//', 'http://a.com/x/y'],
  ['http://a.com//', 'http://a.com/'],
  ['http://a.com/x/?b=1', 'http://a.com/x?b=1'],
  // query: sorted by name, stable for equal names, empty query dropped
  ['http://a.com/p?b=2&a=1', 'http://a.com/p?a=1&b=2'],
  ['http://a.com/p?b=1&a=2&a=1', 'http://a.com/p?a=2&a=1&b=1'],
  ['http://a.com/p?', 'http://a.com/p'],
  ['http://a.com/p?#frag', 'http://a.com/p'],
  ['http://a.com/p?flag', 'http://a.com/p?flag='],
  // tracking parameters
  ['http://a.com/p?utm_source=feedburner&utm_medium=feed', 'http://a.com/p'],
  ['http://a.com/p?id=7&fbclid=abc&gclid=def', 'http://a.com/p?id=7'],
  ['http://a.com/p?UTM_Campaign=x&q=1', 'http://a.com/p?q=1'],
  ['http://a.com/p?utm=1', 'http://a.com/p?utm=1'],
  ['http://a.com/p?xutm_source=1', 'http://a.com/p?xutm_source=1'],
  // re-serialisation by URLSearchParams: spaces as +, reserved characters encoded
  ['http://a.com/p?q=a%20b', 'http://a.com/p?q=a+b'],
  ['http://a.com/p?q=a+b', 'http://a.com/p?q=a+b'],
  ['http://a.com/p?q=%3A%2F', 'http://a.com/p?q=%3A%2F'],
  ['http://a.com/p?q=a/b', 'http://a.com/p?q=a%2Fb'],
  // the shipped log's feedburner links (line 93)
  [
    'http://semicomplete.com/blog/geekery/disabling-battery-in-ubuntu-vms.html?utm_source=feedburner&utm_medium=feed&utm_campaign=Feed%3A+semicomplete%2Fmain+%28semicomplete.com+-+Jordan+Sissel%29',
    'http://semicomplete.com/blog/geekery/disabling-battery-in-ubuntu-vms.html',
  ],
  ['http://semicomplete.com/blog/tags/puppet?flav=rss20', 'http://semicomplete.com/blog/tags/puppet?flav=rss20'],
  // path: dot segments resolved, unsafe characters percent-encoded, case kept
  ['http://a.com/a/./b/../c', 'http://a.com/a/c'],
  ['http://a.com/a b', 'http://a.com/a%20b'],
  ['http://a.com/caf\u00e9', 'http://a.com/caf%C3%A9'],
  ['http://a.com/CaseKept', 'http://a.com/CaseKept'],
  // hosts: IDN to punycode, www. kept, IPv6
  ['http://www.A.com/', 'http://www.a.com/'],
  ['http://b\u00fccher.de/', 'http://xn--bcher-kva.de/'],
  ['http://[2001:DB8::1]:80/x/', 'http://[2001:db8::1]/x'],
  // not http(s) URLs or not URLs at all
  ['', null],
  ['/just/a/path', null],
  ['semicomplete.com/x', null],
  ['http://', null],
  ['http://a b.com/', null],
  ['mailto:someone@example.org', null],
  ['javascript:alert(1)', null],
  ['ftp://a.com/file', null],
];

describe('normalizeUrl', () => {
  it.each(CASES)('%s -> %s', (raw, expected) => {
    expect(normalizeUrl(raw)).toBe(expected);
  });

  it('is idempotent on every normalised case', () => {
    for (const [, expected] of CASES) if (expected !== null) expect(normalizeUrl(expected)).toBe(expected);
  });
});

describe('domainOf', () => {
  it.each([
    ['http://semicomplete.com/blog', 'semicomplete.com'],
    ['http://www.semicomplete.com/', 'www.semicomplete.com'],
    ['https://a.com:8443/x', 'a.com'],
    ['http://[2001:db8::1]/x', '[2001:db8::1]'],
  ])('%s -> %s', (url, domain) => {
    expect(domainOf(url)).toBe(domain);
  });

  it('is null for what does not parse', () => {
    expect(domainOf('not a url')).toBeNull();
  });
});
