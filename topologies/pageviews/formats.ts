/**
 * The pageviews input formats for `topo ingest` and `topo produce` (`--format apache|jsonl`):
 * Apache combined log lines and JSON Lines events, both stored as the raw pageview fact
 * (recordOf); and `--format equiv` for `topo ingest`, equiv edges (equiv.ts). For `topo produce` each entry's identity is a hash of (visitor, normalised
 * URL, time), and a line repeating that identity within the speed layer's dedupe window of
 * event time is not appended: pageviews counts such a request once anyway, and removing it
 * where the whole file is visible keeps it exact across processes, which a per-process
 * dedupe cannot be.
 */
import { createHash } from 'node:crypto';
import { accept, defineFormat, reject, type LineContext, type ParseOutcome } from '../../src/batch/index.js';
import { recordOf, type PageviewRecord } from './dataset.js';
import { equivFormat } from './equiv.js';
import { DEFAULT_DEDUPE_WINDOW_MS, dedupeKey } from './dedupe.js';
import { DEFAULT_LOG_HOST, pageKeysOf, visitorOf, type PageviewEvent, type ParseResult } from './event.js';
import { parseApacheLine } from './parse-apache.js';
import { parseJsonLine } from './parse-jsonl.js';

/** The page host of log lines: `--host`, else `-c host=`, else semicomplete.com. */
function hostOption(at: LineContext): string {
  const h = at.options['host'];
  return typeof h === 'string' && h !== '' ? h : DEFAULT_LOG_HOST;
}

function outcome(r: ParseResult): ParseOutcome<PageviewRecord> {
  return r.ok ? accept(recordOf(r.event)) : reject(r.reason);
}

/** The event id the stream carries: 16 hex digits of SHA-1 over the pageview's identity. */
export function eventIdentity(r: PageviewRecord): string {
  const e = r as unknown as PageviewEvent;
  const k = pageKeysOf(e);
  const key = k !== null ? dedupeKey(k.visitor, k.url, k.ts) : dedupeKey(visitorOf(e), e.url, e.ts);
  return createHash('sha1').update(key).digest('hex').slice(0, 16);
}

const stream = {
  identityOf: eventIdentity,
  duplicates: {
    // A URL that does not normalise has no view keys: it is appended, and rejected downstream.
    keyOf: (r: PageviewRecord): string | null => {
      const k = pageKeysOf(r as unknown as PageviewEvent);
      return k === null ? null : dedupeKey(k.visitor, k.url, k.ts);
    },
    windowMs: DEFAULT_DEDUPE_WINDOW_MS,
  },
};

/** Apache combined log lines (`--host` names the page host). */
export const apacheFormat = defineFormat<PageviewRecord>({
  name: 'apache',
  dataset: 'pageviews',
  parse: (line, at) => outcome(parseApacheLine(line, { id: at.id, host: hostOption(at) })),
  stream,
});

/** JSON Lines pageview events (`{"url", "visitor", "user"?, "ts"}`). */
export const jsonlFormat = defineFormat<PageviewRecord>({
  name: 'jsonl',
  dataset: 'pageviews',
  parse: (line, at) => outcome(parseJsonLine(line, { id: at.id })),
  stream,
});

/** JSON Lines equiv edges (`{"a", "b", "ts"}`), into the `equiv` dataset: read by the batch layer only. */
export { equivFormat };

export const PAGEVIEW_FORMATS = [apacheFormat, jsonlFormat, equivFormat] as const;
