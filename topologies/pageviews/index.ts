/**
 * The pageviews pipeline's pure domain logic, shared by the speed layer (topology bolts) and
 * the batch layer (recompute over the master dataset): the event as it arrived, parsers for
 * Apache combined logs and JSON Lines, URL normalisation, duplicate removal, sessionization
 * for bounce rate, and the rejects file. Nothing here talks to Redis.
 */
export {
  DEFAULT_LOG_HOST,
  pageKeysOf,
  pageUrlOf,
  visitorOf,
  type PageKeys,
  type PageviewEvent,
  type ParseResult,
} from './event.js';
export { parseApacheLine, parseRequestLine, type ApacheLineOptions, type RequestLine } from './parse-apache.js';
export { parseJsonLine, type JsonLineOptions } from './parse-jsonl.js';
export { parseClfTime, parseIsoTime } from './timestamps.js';
export { domainOf, normalizeUrl } from './normalize-url.js';
export { DEFAULT_DEDUPE_WINDOW_MS, DedupeWindow, dedupeKey, type DedupeOptions, type DedupeVerdict } from './dedupe.js';
export {
  DEFAULT_LATENESS_MS,
  Sessionizer,
  VISIT_GAP_MS,
  bounceCounts,
  visitsOf,
  type BounceCount,
  type Hit,
  type SessionizerOptions,
  type Visit,
} from './sessions.js';
export { RejectsWriter, type RejectRecord } from '../../src/batch/index.js';
