/**
 * The pageview fact as it arrived. Both layers share it: the speed layer derives its views
 * from it, and the batch layer stores it unchanged in the master dataset. The fact holds
 * nothing normalised (URL, visitor choice, domain): those are derived on read by
 * {@link pageKeysOf}, so that a bug in that logic is repaired by recomputing from the facts.
 */
import { normalizeWithDomain } from './normalize-url.js';

/** Host of the shipped access log (semicomplete.com); page URLs of log lines use it by default. */
export const DEFAULT_LOG_HOST = 'semicomplete.com';

/** One parsed request or JSON Lines event, as it arrived. */
export interface PageviewEvent {
  /** Stable id given by the caller, e.g. `file:line`; makes replays recognisable. */
  readonly id: string;
  /** Client address as logged (IPv4, IPv6 or a hostname); for JSON Lines the `visitor`. */
  readonly ip: string;
  /** Authenticated user id, or null (the log's `-`, or no `user` in JSON Lines). */
  readonly user: string | null;
  /** Event time, epoch ms UTC. */
  readonly ts: number;
  /** HTTP method as logged; null when the source does not say (JSON Lines without `method`). */
  readonly method: string | null;
  /** Raw request target, query included (for JSON Lines: the part of `url` after the authority). */
  readonly path: string;
  /** e.g. `HTTP/1.1`; `HTTP/0.9` for a two-part request line; null when the source does not say. */
  readonly protocol: string | null;
  readonly status: number | null;
  /** Response bytes; null for the log's `-` (Apache's "nothing sent"). */
  readonly bytes: number | null;
  readonly referrer: string | null;
  readonly userAgent: string | null;
  /** Raw page URL: `http://<host><path>` for log lines, the given `url` for JSON Lines. */
  readonly url: string;
}

/** What a parser returns: an event, or why the input is not one. Parsers never throw. */
export type ParseResult =
  | { readonly ok: true; readonly event: PageviewEvent; readonly note?: string }
  | { readonly ok: false; readonly reason: string };

/** The visitor identity used by every view: the user id when present, else the client address. */
export function visitorOf(e: Pick<PageviewEvent, 'user' | 'ip'>): string {
  // `!= null`, not `!== null`: a master record may lack `user` altogether (the dataset's
  // validation allows it, and JSON Lines input omits it), and undefined is no visitor.
  const user = e.user;
  return user != null && user !== '' ? user : e.ip;
}

/**
 * The raw page URL of a request target seen by `host`. An absolute-form target (a request
 * line such as `GET http://example.org/x HTTP/1.1`, sent to proxies) already names its page,
 * and HTTP says the server must use that host, so it is kept as it is.
 */
export function pageUrlOf(host: string, target: string): string {
  if (/^https?:\/\//i.test(target)) return target;
  return `http://${host}${target}`;
}

/**
 * What the views key an event by, derived from the raw fact: the visitor, the normalised
 * page URL and its domain. Computed on read, never stored, so that changing a rule and
 * recomputing applies it to all history.
 */
export interface PageKeys {
  readonly visitor: string;
  readonly url: string;
  readonly domain: string;
  readonly ts: number;
}

/** The view keys of an event, or null when its URL does not normalise (views skip it). */
export function pageKeysOf(e: PageviewEvent): PageKeys | null {
  const n = normalizeWithDomain(e.url);
  if (n === null) return null;
  return { visitor: visitorOf(e), url: n.url, domain: n.domain, ts: e.ts };
}
