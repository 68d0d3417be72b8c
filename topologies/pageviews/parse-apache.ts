/**
 * Apache combined log format, one line at a time:
 *
 *     %h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-agent}i"
 *
 * A hand-written scanner rather than one big regular expression, so that every rejected line
 * gets a reason that says which field was wrong, and so that escapes inside quoted fields are
 * read the way Apache writes them.
 *
 * Rules (the README of the pageviews topology repeats them):
 * - Request line: `METHOD target PROTOCOL` is the normal case. `METHOD target` (an HTTP/0.9
 *   request line) is accepted with protocol `HTTP/0.9`. A target that contains spaces (a
 *   client that did not encode them) is accepted when the line still ends in `HTTP/x.y`: the
 *   target is everything between the method and the protocol. Rejected, with a reason: `-` or
 *   an empty request (Apache logs that for a connection that sent nothing), a method that is
 *   not an HTTP token (binary junk such as a TLS handshake sent to port 80), and a target that
 *   is neither a path (`/...`) nor an absolute http(s) URL (`*`, `host:443` of CONNECT): none
 *   of those names a page.
 * - Cut-off lines (line 8899 of the shipped log lost the end of its user agent): a line is
 *   accepted when everything up to and including the bytes field parsed, because those fields
 *   are the whole pageview (who, when, what, outcome). The trailing referrer and user agent
 *   are optional: both missing, they are null (Common Log Format lines are accepted too); cut
 *   inside their quotes, they keep the text that arrived, and the result carries a `note`
 *   (as it does for a referrer without a user agent) so the caller can count such lines.
 *   A line cut anywhere earlier is rejected.
 * - Anything after the user agent (formats that append fields) is ignored.
 */
import { isIP } from 'node:net';
import { DEFAULT_LOG_HOST, pageUrlOf, type ParseResult } from './event.js';
import { parseClfTime } from './timestamps.js';
import { readQuoted } from './quoted-field.js';

/** Options of {@link parseApacheLine}. */
export interface ApacheLineOptions {
  /** The event's stable id, e.g. `file:line`. */
  readonly id: string;
  /** Host of the page URLs (`http://<host><path>`); default `semicomplete.com`. */
  readonly host?: string;
}

const HTTP_TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const HTTP_VERSION = /^HTTP\/\d+(\.\d+)?$/;
const HOSTNAME = /^[A-Za-z0-9_](?:[A-Za-z0-9._-]*[A-Za-z0-9_])?$/;

/** A split request line, or why it names no page. */
export type RequestLine = { method: string; target: string; protocol: string } | { reason: string };

/** Splits `%r` by the rules in the module comment. */
export function parseRequestLine(r: string): RequestLine {
  if (r === '' || r === '-') return { reason: 'no request line' };
  const parts = r.split(' ');
  const method = parts[0]!;
  if (!HTTP_TOKEN.test(method)) return { reason: 'request method is not an HTTP token' };
  let target: string;
  let protocol: string;
  if (parts.length === 2) {
    target = parts[1]!;
    protocol = 'HTTP/0.9';
  } else if (parts.length >= 3 && HTTP_VERSION.test(parts[parts.length - 1]!)) {
    target = parts.slice(1, -1).join(' ');
    protocol = parts[parts.length - 1]!;
  } else {
    return { reason: 'request line is not METHOD target PROTOCOL' };
  }
  if (!target.startsWith('/') && !/^https?:\/\/./i.test(target)) {
    return { reason: 'request target is not a path or an absolute http URL' };
  }
  return { method, target, protocol };
}

function validClient(h: string): boolean {
  return isIP(h) !== 0 || HOSTNAME.test(h);
}

/**
 * Parses one combined-format line (a trailing `\n` or `\r\n` is ignored). Never throws:
 * every input gives an event or a reason.
 */
export function parseApacheLine(line: string, options: ApacheLineOptions): ParseResult {
  try {
    return parse(line, options);
  } catch (err) {
    // Not expected (the fuzz test looks for this reason); kept so one bad line never stops a run.
    return { ok: false, reason: `internal parser error: ${String(err)}` };
  }
}

function parse(raw: string, options: ApacheLineOptions): ParseResult {
  const line = raw.endsWith('\r\n') ? raw.slice(0, -2) : raw.endsWith('\n') ? raw.slice(0, -1) : raw;
  if (line.trim() === '') return { ok: false, reason: 'empty line' };
  // %h %l %u: three space-separated fields, then the bracketed time.
  const head = /^(\S+) (\S+) (\S+) \[([^\]]*)\] /.exec(line);
  if (head === null) return { ok: false, reason: 'line does not start with client, ident, user and [time]' };
  let client = head[1]!;
  if (client.startsWith('[') && client.endsWith(']')) client = client.slice(1, -1);
  if (!validClient(client)) return { ok: false, reason: 'client is not an IP address or host name' };
  const ts = parseClfTime(head[4]!);
  if (ts === null) return { ok: false, reason: 'time is not dd/Mon/yyyy:HH:MM:SS +hhmm' };
  let pos = head[0].length;

  if (line[pos] !== '"') return { ok: false, reason: 'request line is not quoted' };
  const request = readQuoted(line, pos + 1);
  if (!request.closed) return { ok: false, reason: 'line cut off inside the request line' };
  const req = parseRequestLine(request.value);
  if ('reason' in req) return { ok: false, reason: req.reason };
  pos = request.end;

  const tail = /^ (\d{3}|-) (\d{1,15}|-)(?= |$)/.exec(line.slice(pos));
  if (tail === null) return { ok: false, reason: 'status and bytes missing or not numbers' };
  pos += tail[0].length;

  // Optional trailing quoted fields: referrer, then user agent.
  const trailing: (string | null)[] = [];
  let note: string | undefined;
  for (const name of ['referrer', 'user agent']) {
    if (note !== undefined || pos >= line.length) break;
    if (line.startsWith(' "', pos)) {
      const q = readQuoted(line, pos + 2);
      trailing.push(q.value);
      pos = q.end;
      if (!q.closed) note = `${name} cut off`;
    } else if (line.length === pos + 1 && line[pos] === ' ') {
      pos += 1; // cut right after the separator
      note = `${name} cut off`;
    } else if (trailing.length === 0) {
      return { ok: false, reason: 'referrer is not quoted' };
    } else {
      return { ok: false, reason: 'user agent is not quoted' };
    }
  }
  // Combined format has both or (Common Log Format) neither: a referrer alone means a cut line.
  if (note === undefined && trailing.length === 1) note = 'user agent missing';
  const [referrer, userAgent] = trailing;
  const user = head[3]!;
  const host = options.host ?? DEFAULT_LOG_HOST;
  return {
    ok: true,
    event: {
      id: options.id,
      ip: client,
      user: user === '-' ? null : user,
      ts,
      method: req.method,
      path: req.target,
      protocol: req.protocol,
      status: tail[1] === '-' ? null : Number(tail[1]),
      bytes: tail[2] === '-' ? null : Number(tail[2]),
      referrer: referrer === undefined || referrer === '-' ? null : referrer,
      userAgent: userAgent === undefined || userAgent === '-' ? null : userAgent,
      url: pageUrlOf(host, req.target),
    },
    ...(note !== undefined ? { note } : {}),
  };
}
