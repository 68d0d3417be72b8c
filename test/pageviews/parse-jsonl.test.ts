import { describe, expect, it } from 'vitest';
import { parseIsoTime, parseJsonLine, visitorOf, type ParseResult } from '../../topologies/pageviews/index.js';

const parse = (line: string): ParseResult => parseJsonLine(line, { id: 'events.jsonl:3' });
const reason = (line: string): string => {
  const r = parse(line);
  if (r.ok) throw new Error(`expected a reject, got ${JSON.stringify(r.event)}`);
  return r.reason;
};

describe('parseJsonLine', () => {
  it('parses a minimal event with an ISO time', () => {
    expect(parse('{"url":"http://a.com/x?y=1","visitor":"v1","ts":"2015-05-17T10:05:03Z"}')).toEqual({
      ok: true,
      event: {
        id: 'events.jsonl:3', ip: 'v1', user: null, ts: 1431857103000, method: null, path: '/x?y=1', protocol: null,
        status: null, bytes: null, referrer: null, userAgent: null, url: 'http://a.com/x?y=1',
      },
    });
  });

  it('takes epoch ms as they are', () => {
    expect(parse('{"url":"http://a.com/","visitor":"v","ts":1431857103000}')).toMatchObject({ ok: true, event: { ts: 1431857103000 } });
  });

  it('takes the user, and visitorOf prefers it to the visitor', () => {
    const r = parse('{"url":"http://a.com/","visitor":"10.0.0.1","user":"alice","ts":0}');
    if (!r.ok) throw new Error(r.reason);
    expect(r.event.user).toBe('alice');
    expect(visitorOf(r.event)).toBe('alice');
    const anon = parse('{"url":"http://a.com/","visitor":"10.0.0.1","user":"","ts":0}');
    if (!anon.ok) throw new Error(anon.reason);
    expect(visitorOf(anon.event)).toBe('10.0.0.1');
  });

  it('takes the optional request facts when they have the right type', () => {
    const r = parse('{"url":"http://a.com/","visitor":"v","ts":0,"method":"POST","status":404,"bytes":"12","referrer":"http://r/","userAgent":7}');
    expect(r).toMatchObject({ ok: true, event: { method: 'POST', status: 404, bytes: null, referrer: 'http://r/', userAgent: null } });
  });

  it('keeps an unparseable url as the raw fact', () => {
    expect(parse('{"url":"not a url","visitor":"v","ts":0}')).toMatchObject({ ok: true, event: { url: 'not a url', path: 'not a url' } });
  });

  it('rejects with a reason', () => {
    expect(reason('{"url":')).toBe('not valid JSON');
    expect(reason('')).toBe('empty line');
    expect(reason('[1,2]')).toBe('not a JSON object');
    expect(reason('null')).toBe('not a JSON object');
    expect(reason('"x"')).toBe('not a JSON object');
    expect(reason('{"visitor":"v","ts":0}')).toBe('missing url');
    expect(reason('{"url":5,"visitor":"v","ts":0}')).toBe('url is not a non-empty string');
    expect(reason('{"url":"http://a.com/","ts":0}')).toBe('missing visitor');
    expect(reason('{"url":"http://a.com/","visitor":"","ts":0}')).toBe('visitor is not a non-empty string');
    expect(reason('{"url":"http://a.com/","visitor":"v","user":3,"ts":0}')).toBe('user is not a string');
    expect(reason('{"url":"http://a.com/","visitor":"v"}')).toBe('missing ts');
    expect(reason('{"url":"http://a.com/","visitor":"v","ts":"yesterday"}')).toBe('ts is not an ISO 8601 date-time');
    expect(reason('{"url":"http://a.com/","visitor":"v","ts":"May 17 2015"}')).toBe('ts is not an ISO 8601 date-time');
    expect(reason('{"url":"http://a.com/","visitor":"v","ts":"2015-05-17"}')).toBe('ts is not an ISO 8601 date-time');
    expect(reason('{"url":"http://a.com/","visitor":"v","ts":1.5}')).toBe('ts is not an integer epoch ms');
    expect(reason('{"url":"http://a.com/","visitor":"v","ts":1e300}')).toBe('ts is not an integer epoch ms');
    expect(reason('{"url":"http://a.com/","visitor":"v","ts":true}')).toBe('ts is neither a number nor a string');
  });
});

describe('parseIsoTime', () => {
  it.each([
    ['2015-05-17T10:05:03Z', 1431857103000],
    ['2015-05-17T10:05:03z', 1431857103000],
    ['2015-05-17T10:05:03', 1431857103000], // no offset: UTC, never the local zone
    ['2015-05-17 10:05:03Z', 1431857103000],
    ['2015-05-17T10:05Z', 1431857100000],
    ['2015-05-17T10:05:03.250Z', 1431857103250],
    ['2015-05-17T10:05:03.2Z', 1431857103200],
    ['2015-05-17T10:05:03.999999Z', 1431857103999],
    ['2015-05-17T12:05:03+02:00', 1431857103000],
    ['2015-05-17T12:05:03+0200', 1431857103000],
    ['2015-05-17T05:35:03-04:30', 1431857103000],
    ['2016-02-29T23:59:59Z', 1456790399000],
  ])('%s -> %d', (s, ms) => {
    expect(parseIsoTime(s)).toBe(ms);
  });

  it.each(['2015-02-29T00:00:00Z', '2015-13-01T00:00:00Z', '2015-05-17T24:00:00Z', '2015-05-17T10:05:03+25:00', '2015-05-17', '17/May/2015:10:05:03 +0000', ''])(
    'rejects %s',
    (s) => {
      expect(parseIsoTime(s)).toBeNull();
    },
  );
});
