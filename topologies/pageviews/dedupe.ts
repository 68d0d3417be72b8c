/**
 * Exact-duplicate removal for the speed layer: the same (visitor, normalised URL, ts) counts
 * once. Duplicates come from replays (at-least-once delivery re-emits a line) and from
 * sources that log a request twice; both repeat the event time exactly, so a window of event
 * time (default 5 minutes) catches them while memory stays bounded. The batch layer removes
 * duplicates over all data with the same {@link dedupeKey}.
 *
 * The window itself (expiry by an event-time watermark, `late` events) is the framework's
 * DedupeWindow; this file gives it the pageview's key.
 */

import { DedupeWindow as KeyWindow, type DedupeVerdict } from '../../src/index.js';

export { DEFAULT_DEDUPE_WINDOW_MS, type DedupeOptions, type DedupeVerdict } from '../../src/index.js';

/**
 * The identity of a pageview fact: for duplicate removal in both layers (the batch layer's
 * `identityFields` are these three fields) and as the event id of its view updates, which the
 * writer's exactly-once id sets compare. NUL cannot occur in a normalised URL (the URL parser
 * percent-encodes it) nor, in practice, in a visitor id, so the joined key is unambiguous.
 */
export function dedupeKey(visitor: string, normalizedUrl: string, ts: number): string {
  return `${visitor}\u0000${normalizedUrl}\u0000${ts}`;
}

/** The framework's window of event time over pageview keys (visitor, normalised URL, ts). */
export class DedupeWindow extends KeyWindow {
  /**
   * Checks one event and remembers it. `new`: count it. `duplicate`: the same (visitor, URL,
   * ts) was seen within the window; do not count it. `late`: older than the watermark, could
   * not be checked; count it and report it as late.
   */
  check(visitor: string, normalizedUrl: string, ts: number): DedupeVerdict {
    return this.checkKey(dedupeKey(visitor, normalizedUrl, ts), ts, '');
  }
}
