/**
 * Page URL normalisation: the key of the `pageviews` and `uniques` views and the source of
 * the `bounces` domain. Two URLs that the same page is reached by should count as one key,
 * so the rules remove what does not select a page: case of scheme and host, a default port,
 * the fragment, the order of query parameters, tracking parameters and a trailing slash.
 *
 * Parsing is the WHATWG URL parser (Node's `URL`), which already lowercases the scheme and
 * host, drops a default port, resolves `.` and `..` segments and percent-encodes what must
 * be. The query is re-serialised by `URLSearchParams`, so `a=b c`, `a=b+c` and `a=b%20c`
 * all become `a=b+c`.
 *
 * Only http and https URLs are pages: anything else (mailto:, javascript:, data:, a bare
 * path) gives null, as unparseable input does, and views skip it.
 */

// Tracking parameters say how a visitor came, not which page they saw. Matched
// case-insensitively: `UTM_Source` is the same campaign tag to the analytics that set it.
const TRACKING_EXACT = new Set(['fbclid', 'gclid']);

function isTracking(name: string): boolean {
  const n = name.toLowerCase();
  return n.startsWith('utm_') || TRACKING_EXACT.has(n);
}

function parse(raw: string): URL | null {
  // URL.canParse would avoid the exception, but it arrived in Node 19.9/18.17; try/catch
  // is equally correct and works on every Node topo supports.
  try {
    return new URL(raw);
  } catch {
    return null;
  }
}

/**
 * The normalised form of a page URL, or null when `raw` is not an http(s) URL.
 *
 * Lowercase scheme and host, default port removed, fragment removed, tracking parameters
 * (`utm_*`, `fbclid`, `gclid`) removed, the other parameters sorted by name (stable for
 * equal names) and re-serialised with `URLSearchParams`, an empty query dropped (no bare
 * `?`), trailing slashes trimmed except for the root (`http://a.com/x/` becomes
 * `http://a.com/x`, `http://a.com/` stays).
 */
export function normalizeUrl(raw: string): string | null {
  if (typeof raw !== 'string') return null;
  const m = SIMPLE.exec(raw);
  if (m !== null && simpleHost(m[2]!) && !DOT_SEGMENT.test(m[3] ?? '')) return simpleForm(m[1]!, m[2]!, m[3]);
  const u = parse(raw);
  if (u === null || (u.protocol !== 'http:' && u.protocol !== 'https:')) return null;
  u.hash = '';
  const kept = new URLSearchParams();
  for (const [name, value] of u.searchParams) if (!isTracking(name)) kept.append(name, value);
  kept.sort(); // by UTF-16 code units of the name, stable for equal names (WHATWG spec)
  const query = kept.toString();
  // Assigning '' removes the `?` as well; a non-empty string is set as the query as it is.
  u.search = query;
  let path = u.pathname;
  let end = path.length;
  while (end > 1 && path[end - 1] === '/') end--;
  if (end !== path.length) {
    path = path.slice(0, end);
    u.pathname = path;
  }
  return u.href;
}

/**
 * The fast path (most log URLs, ~10x cheaper than the URL parser and its setters): a URL
 * whose normal form is known without the parser because every rule is a no-op on it or a
 * plain cut. Lowercase http(s) scheme, a lowercase ASCII host (no port, no credentials, no
 * IDNA `xn--` label, last label starting with a letter so it is not read as IPv4), a path of
 * unreserved characters only (nothing to percent-encode, no `%`), no dot segment, no query,
 * no fragment. Its normal form: the root path added when missing, trailing slashes cut.
 * Anything else takes the parser; test/pageviews/normalize-url-fast.test.ts checks both agree.
 */
const SIMPLE = /^(https?):\/\/([a-z0-9-]+(?:\.[a-z0-9-]+)*)(\/[A-Za-z0-9\-._~/]*)?$/;
const DOT_SEGMENT = /\/\.\.?(?:\/|$)/;

function simpleHost(host: string): boolean {
  const last = host.lastIndexOf('.') + 1;
  const c = host.charCodeAt(last);
  return c >= 0x61 && c <= 0x7a && !host.includes('xn--');
}

function simpleForm(scheme: string, host: string, path: string | undefined): string {
  if (path === undefined) return `${scheme}://${host}/`;
  let end = path.length;
  while (end > 1 && path.charCodeAt(end - 1) === 0x2f) end--;
  return `${scheme}://${host}${end === path.length ? path : path.slice(0, end)}`;
}

/** The URL and its domain in one step: the fast path reads the domain off its match, no second parse. */
export function normalizeWithDomain(raw: string): { url: string; domain: string } | null {
  const m = SIMPLE.exec(raw);
  if (m !== null && simpleHost(m[2]!) && !DOT_SEGMENT.test(m[3] ?? '')) return { url: simpleForm(m[1]!, m[2]!, m[3]), domain: m[2]! };
  const url = normalizeUrl(raw);
  if (url === null) return null;
  const domain = domainOf(url);
  return domain === null ? null : { url, domain };
}

/**
 * The domain of a normalised URL (the `bounces` key): its host name, `www.` kept, without a
 * port (a domain names a site, not a socket). Null when the URL does not parse.
 */
export function domainOf(normalizedUrl: string): string | null {
  const u = parse(normalizedUrl);
  return u === null ? null : u.hostname;
}
