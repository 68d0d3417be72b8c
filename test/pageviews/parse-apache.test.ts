import { describe, expect, it } from 'vitest';
import { parseApacheLine, parseRequestLine, type PageviewEvent, type ParseResult } from '../../topologies/pageviews/index.js';

// Real lines, copied unchanged from topologies/data/apache_logs.log (line numbers in the names).
const LINE_1 =
  '83.149.9.216 - - [17/May/2015:10:05:03 +0000] "GET /presentations/logstash-monitorama-2013/images/kibana-search.png HTTP/1.1" 200 203023 "http://semicomplete.com/presentations/logstash-monitorama-2013/" "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/32.0.1700.77 Safari/537.36"';
const LINE_77_DASH_BYTES =
  '218.30.103.62 - - [17/May/2015:11:05:11 +0000] "GET /robots.txt HTTP/1.1" 200 - "-" "Sogou web spider/4.0(+http://www.sogou.com/docs/help/webmasters.htm#07)"';
const LINE_5009_POST =
  '37.115.186.244 - - [19/May/2015:04:05:16 +0000] "POST /blog/geekery/xvfb-firefox HTTP/1.0" 200 10975 "http://zoomq.qiniudn.com/ZQScrapBook/ZqFLOSS/data/20110811235550/" "Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/537.11 (KHTML, like Gecko) Chrome/23.0.1271.91 Safari/537.11"';
const LINE_5851_CP1251 =
  '201.242.142.135 - - [19/May/2015:11:05:10 +0000] "GET /files/logstash/ HTTP/1.0" 200 13316 "http://\\xe4\\xe5\\xe3\\xf2\\xff\\xf0\\xed\\xee\\xe5-\\xec\\xfb\\xeb\\xee.\\xf0\\xf4/" "Mozilla/5.0 (Windows NT 6.1; rv:11.0) Gecko/20100101 Firefox/11.0"';
const LINE_8899_CUT =
  '46.118.127.106 - - [20/May/2015:12:05:17 +0000] "GET /scripts/grok-py-test/configlib.py HTTP/1.1" 200 235 "-" "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html';
const LINE_9158_OPTIONS =
  '64.131.102.243 - - [20/May/2015:14:05:16 +0000] "OPTIONS /projects/xdotool/ HTTP/1.1" 500 626 "-" "Microsoft Office Protocol Discovery"';

function ok(r: ParseResult): PageviewEvent {
  if (!r.ok) throw new Error(`expected an event, got: ${r.reason}`);
  return r.event;
}
const parse = (line: string, host?: string): ParseResult => parseApacheLine(line, { id: 'log:1', ...(host ? { host } : {}) });
const reason = (line: string): string => {
  const r = parse(line);
  if (r.ok) throw new Error(`expected a reject, got ${JSON.stringify(r.event)}`);
  return r.reason;
};

describe('parseApacheLine on real lines', () => {
  it('parses every field of line 1', () => {
    const r = parse(LINE_1);
    expect(r).toEqual({
      ok: true,
      event: {
        id: 'log:1',
        ip: '83.149.9.216',
        user: null,
        ts: 1431857103000,
        method: 'GET',
        path: '/presentations/logstash-monitorama-2013/images/kibana-search.png',
        protocol: 'HTTP/1.1',
        status: 200,
        bytes: 203023,
        referrer: 'http://semicomplete.com/presentations/logstash-monitorama-2013/',
        userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/32.0.1700.77 Safari/537.36',
        url: 'http://semicomplete.com/presentations/logstash-monitorama-2013/images/kibana-search.png',
      },
    });
  });

  it('reads `-` bytes and `-` referrer as null (line 77)', () => {
    const e = ok(parse(LINE_77_DASH_BYTES));
    expect([e.bytes, e.referrer, e.status, e.ts, e.url]).toEqual([null, null, 200, 1431860711000, 'http://semicomplete.com/robots.txt']);
    expect(e.userAgent).toBe('Sogou web spider/4.0(+http://www.sogou.com/docs/help/webmasters.htm#07)');
  });

  it('keeps POST and OPTIONS requests with their method and status (lines 5009, 9158)', () => {
    expect(ok(parse(LINE_5009_POST))).toMatchObject({ method: 'POST', protocol: 'HTTP/1.0', ts: 1432008316000, bytes: 10975 });
    expect(ok(parse(LINE_9158_OPTIONS))).toMatchObject({ method: 'OPTIONS', status: 500, ts: 1432130716000, path: '/projects/xdotool/' });
  });

  it('accepts line 8899 with the user agent cut off, keeping what arrived and saying so', () => {
    const r = parse(LINE_8899_CUT);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.note).toBe('user agent cut off');
    expect(r.event).toMatchObject({
      ip: '46.118.127.106', ts: 1432123517000, status: 200, bytes: 235, referrer: null,
      path: '/scripts/grok-py-test/configlib.py',
      userAgent: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html',
    });
  });

  it('keeps \\xhh escapes that are not UTF-8 as written (cp1251 referrer, line 5851)', () => {
    expect(ok(parse(LINE_5851_CP1251)).referrer).toBe('http://\\xe4\\xe5\\xe3\\xf2\\xff\\xf0\\xed\\xee\\xe5-\\xec\\xfb\\xeb\\xee.\\xf0\\xf4/');
  });

  it('ignores a trailing newline or CRLF', () => {
    expect(ok(parse(LINE_1 + '\n')).userAgent).toMatch(/Safari\/537\.36$/);
    expect(ok(parse(LINE_1 + '\r\n')).userAgent).toMatch(/Safari\/537\.36$/);
  });
});

describe('parseApacheLine fields', () => {
  const base = (client: string, user = '-', time = '17/May/2015:10:05:03 +0000', request = 'GET /a HTTP/1.1', rest = ' 200 5 "-" "ua"') =>
    `${client} - ${user} [${time}] "${request}"${rest}`;

  it('converts the time at any offset to UTC epoch ms', () => {
    expect(ok(parse(base('1.2.3.4', '-', '17/May/2015:10:05:03 +0200'))).ts).toBe(1431849903000);
    expect(ok(parse(base('1.2.3.4', '-', '17/May/2015:10:05:03 -0430'))).ts).toBe(1431873303000);
    expect(ok(parse(base('1.2.3.4', '-', '01/Jan/2000:00:00:00 +0200'))).ts).toBe(946677600000);
    expect(ok(parse(base('1.2.3.4', '-', '29/Feb/2016:23:59:59 +0000'))).ts).toBe(1456790399000);
  });

  it('rejects impossible times', () => {
    for (const t of ['30/Feb/2015:10:05:03 +0000', '29/Feb/2015:10:05:03 +0000', '17/Mai/2015:10:05:03 +0000', '17/May/2015:24:00:00 +0000',
      '17/May/2015:10:60:03 +0000', '17/May/2015:10:05:03 +2400', '17/May/2015:10:05:03', '2015-05-17T10:05:03Z']) {
      expect(reason(base('1.2.3.4', '-', t))).toBe('time is not dd/Mon/yyyy:HH:MM:SS +hhmm');
    }
  });

  it('accepts IPv6 and host-name clients as they are', () => {
    expect(ok(parse(base('2001:db8::8a2e:370:7334'))).ip).toBe('2001:db8::8a2e:370:7334');
    expect(ok(parse(base('::ffff:192.0.2.1'))).ip).toBe('::ffff:192.0.2.1');
    expect(ok(parse(base('[2001:db8::1]'))).ip).toBe('2001:db8::1');
    expect(ok(parse(base('crawl-66-249-73-135.googlebot.com'))).ip).toBe('crawl-66-249-73-135.googlebot.com');
    expect(reason(base('"x"'))).toBe('client is not an IP address or host name');
  });

  it('takes the user field when it is not `-`', () => {
    expect(ok(parse(base('1.2.3.4', 'alice'))).user).toBe('alice');
    expect(ok(parse(base('1.2.3.4', '-'))).user).toBeNull();
  });

  it('undoes Apache escapes in quoted fields', () => {
    const e = ok(parse(base('1.2.3.4', '-', undefined, 'GET /q?x=\\"y\\" HTTP/1.1', ' 200 5 "http://r/\\"quoted\\"" "a \\\\ b\\tc \\xc3\\xa9"')));
    expect(e.path).toBe('/q?x="y"');
    expect(e.referrer).toBe('http://r/"quoted"');
    expect(e.userAgent).toBe('a \\ b\tc é');
  });

  it('uses the configured host in the page URL, and keeps absolute-form targets', () => {
    expect(ok(parse(base('1.2.3.4'), 'example.org')).url).toBe('http://example.org/a');
    expect(ok(parse(base('1.2.3.4', '-', undefined, 'GET http://other.net/x HTTP/1.1'))).url).toBe('http://other.net/x');
  });

  it('accepts Common Log Format lines (no referrer or user agent)', () => {
    const e = ok(parse(base('1.2.3.4', '-', undefined, undefined, ' 404 -')));
    expect([e.status, e.bytes, e.referrer, e.userAgent]).toEqual([404, null, null, null]);
  });

  it('keeps a cut referrer and says so', () => {
    const r = parse(base('1.2.3.4', '-', undefined, undefined, ' 200 5 "http://ref'));
    expect(r).toMatchObject({ ok: true, note: 'referrer cut off', event: { referrer: 'http://ref', userAgent: null } });
    expect(parse(base('1.2.3.4', '-', undefined, undefined, ' 200 5 "-" '))).toMatchObject({ ok: true, note: 'user agent cut off' });
    expect(parse(base('1.2.3.4', '-', undefined, undefined, ' 200 5 "http://r/"'))).toMatchObject({
      ok: true, note: 'user agent missing', event: { referrer: 'http://r/', userAgent: null },
    });
  });

  it('rejects lines cut before the bytes field, with a reason', () => {
    expect(reason('83.149.9.216 - - [17/May/2015:10:05:03 +0000] "GET /presentations/logstash-monitorama')).toBe('line cut off inside the request line');
    expect(reason('83.149.9.216 - - [17/May/2015:10:05:03 +0000] "GET / HTTP/1.1" 200')).toBe('status and bytes missing or not numbers');
    expect(reason('83.149.9.216 - - [17/May/2015:10:0')).toBe('line does not start with client, ident, user and [time]');
    expect(reason('')).toBe('empty line');
    expect(reason('   ')).toBe('empty line');
  });

  it('rejects a non-numeric status or bytes and an unquoted referrer', () => {
    expect(reason(base('1.2.3.4', '-', undefined, undefined, ' OK 5 "-" "ua"'))).toBe('status and bytes missing or not numbers');
    expect(reason(base('1.2.3.4', '-', undefined, undefined, ' 200 5k "-" "ua"'))).toBe('status and bytes missing or not numbers');
    expect(reason(base('1.2.3.4', '-', undefined, undefined, ' 200 5 - "ua"'))).toBe('referrer is not quoted');
    expect(reason(base('1.2.3.4', '-', undefined, undefined, ' 200 5 "-" ua'))).toBe('user agent is not quoted');
  });
});

describe('odd request lines', () => {
  it('splits METHOD target PROTOCOL', () => {
    expect(parseRequestLine('GET /a?b=1 HTTP/1.1')).toEqual({ method: 'GET', target: '/a?b=1', protocol: 'HTTP/1.1' });
  });
  it('accepts an HTTP/0.9 line `METHOD target`', () => {
    expect(parseRequestLine('GET /old')).toEqual({ method: 'GET', target: '/old', protocol: 'HTTP/0.9' });
  });
  it('accepts a target with unencoded spaces when the protocol ends the line', () => {
    expect(parseRequestLine('GET /a b/c HTTP/1.0')).toEqual({ method: 'GET', target: '/a b/c', protocol: 'HTTP/1.0' });
  });
  it('rejects what names no page', () => {
    expect(parseRequestLine('-')).toEqual({ reason: 'no request line' });
    expect(parseRequestLine('')).toEqual({ reason: 'no request line' });
    expect(parseRequestLine('\\x16\\x03\\x01')).toEqual({ reason: 'request method is not an HTTP token' });
    expect(parseRequestLine('GET')).toEqual({ reason: 'request line is not METHOD target PROTOCOL' });
    expect(parseRequestLine('GET /a b c')).toEqual({ reason: 'request line is not METHOD target PROTOCOL' });
    expect(parseRequestLine('OPTIONS * HTTP/1.1')).toEqual({ reason: 'request target is not a path or an absolute http URL' });
    expect(parseRequestLine('CONNECT example.org:443 HTTP/1.1')).toEqual({ reason: 'request target is not a path or an absolute http URL' });
  });
  it('rejects a whole line whose request is `-`', () => {
    expect(reason('1.2.3.4 - - [17/May/2015:10:05:03 +0000] "-" 408 - "-" "-"')).toBe('no request line');
  });
});
