/**
 * How `topo batch` recomputes the pageviews views from the master dataset: the same
 * derivation as the speed layer (pageKeysOf: normalised URL, visitor, domain), applied on
 * read to the raw facts, so that fixing the normaliser and recomputing repairs all history.
 * Events are grouped by visitor: duplicates (same visitor, URL, ts) and a visitor's visits
 * then always meet in one reducer, across files and across midnight.
 *
 * The visitor is the merged one: the `identities` side input holds the connected components of
 * every equiv edge (identities.ts), so uniques and bounces count persons, where the speed layer
 * counts raw identifiers. Duplicates are still recognised by the raw visitor (an event keeps
 * it as `alias` when merging changed it): merging identities never changes the pageviews count.
 */
import { defineBatchInput } from '../../src/batch/index.js';
import type { PageviewRecord } from './dataset.js';
import { equivDataset } from './equiv.js';
import { mergeIdentities, type Identities } from './identities.js';
import { bucketOf, type ViewDef, type ViewUpdate } from '../../src/views/index.js';
import { dedupeKey } from './dedupe.js';
import { pageKeysOf, visitorOf, type PageKeys, type PageviewEvent } from './event.js';
import { bounceCounts, VISIT_GAP_MS, type Visit } from './sessions.js';

/**
 * URL normalisation (the WHATWG parser) is most of a record's cost, and a site has far fewer
 * pages than pageviews: remember each raw URL's keys. Bounded, so memory stays flat on a
 * dataset of many distinct URLs (the cache is simply dropped when full).
 */
const byUrl = new Map<string, { url: string; domain: string } | null>();
const CACHE_MAX = 100_000;

/** A pageview as the batch views read it: its keys, with the visitor merged into its person. */
export interface BatchKeys extends PageKeys {
  /** The raw visitor, when identity merging replaced it (absent otherwise: nothing to pack per event). */
  readonly alias?: string;
}

/** The batch input's side inputs: merged identities. */
export interface PageviewSides {
  readonly identities: Identities;
}

/**
 * pageKeysOf reads only url, user, ip and ts. The dataset's validation (pageviewProblem) guarantees url, ip
 * and a finite ts in the Date range; `user` may be a string, null or absent (visitorOf takes
 * the ip for the last two), and no other field of the record is read, so a record missing any
 * optional field is a pageview like any other. A URL that does not normalise gives null (the
 * record is counted as skipped).
 */
function keysOfRecord(r: PageviewRecord, side: PageviewSides): BatchKeys | null {
  let k = byUrl.get(r.url);
  if (k === undefined) {
    const full = pageKeysOf(r as unknown as PageviewEvent);
    k = full === null ? null : { url: full.url, domain: full.domain };
    if (byUrl.size >= CACHE_MAX) byUrl.clear();
    byUrl.set(r.url, k);
  }
  if (k === null) return null;
  const visitor = visitorOf(r);
  const person = side.identities.get(visitor);
  return person === undefined ? { visitor, url: k.url, domain: k.domain, ts: r.ts } : { visitor: person, url: k.url, domain: k.domain, ts: r.ts, alias: visitor };
}

/**
 * The visits of a reduce partition: what visitsOf (sessions.ts) computes, by another route.
 * visitsOf sorts all hits by visitor, domain and time with a string comparison per step,
 * which was the largest cost of the bounces reducer; here hits are grouped by visitor and
 * domain in maps and only each group's times are sorted, as numbers. The visits are the same
 * (a new one where the gap is VISIT_GAP_MS or more), in another order, which bounceCounts
 * does not depend on. Hits are added one at a time, so the runner need not keep a
 * partition's events (only their times, as numbers, are held).
 */
class HitsByVisitor {
  private readonly byVisitor = new Map<string, Map<string, number[]>>();

  add(e: PageKeys): void {
    let domains = this.byVisitor.get(e.visitor);
    if (domains === undefined) this.byVisitor.set(e.visitor, (domains = new Map()));
    const times = domains.get(e.domain);
    if (times === undefined) domains.set(e.domain, [e.ts]);
    else times.push(e.ts);
  }

  visits(): Visit[] {
    const out: Visit[] = [];
    for (const [visitor, domains] of this.byVisitor) {
      for (const [domain, times] of domains) {
        times.sort((a, b) => a - b);
        let firstTs = times[0]!, lastTs = firstTs, count = 1;
        for (let i = 1; i < times.length; i++) {
          const ts = times[i]!;
          if (ts - lastTs < VISIT_GAP_MS) {
            lastTs = ts;
            count++;
            continue;
          }
          out.push({ domain, visitor, firstTs, lastTs, count });
          firstTs = lastTs = ts;
          count = 1;
        }
        out.push({ domain, visitor, firstTs, lastTs, count });
      }
    }
    return out;
  }
}

function bounceUpdates(hits: HitsByVisitor, view: ViewDef<PageKeys>): ViewUpdate[] {
  return bounceCounts(hits.visits(), view.bucketMs).map((c) => ({
    view: view.name,
    key: c.domain,
    bucket: bucketOf(view, c.bucket),
    fields: { visits: c.visits, bounces: c.bounces },
  }));
}

export const pageviewsBatchInput = defineBatchInput<BatchKeys, PageviewRecord, PageviewSides>({
  dataset: 'pageviews',
  // Built once per run from every equiv edge, before any pageview is read.
  sideInputs: { identities: { dataset: equivDataset.name, build: mergeIdentities } },
  eventOf: keysOfRecord,
  groupOf: (e) => e.visitor,
  // The raw visitor's pageview: two persons' pageviews of one URL at one time stay two.
  identityOf: (e) => dedupeKey(e.alias ?? e.visitor, e.url, e.ts),
  // dedupeKey's fields: the runner compares them without joining a string per event. `alias`
  // first: it is absent on most events, and a first field with few values keeps the runner's
  // table of prefixes small.
  identityFields: ['alias', 'visitor', 'url', 'ts'],
  reducers: {
    // Exact visits over all of a visitor's pageviews (sorted per visitor and domain): no lateness here.
    bounces: {
      reduce: (events, view) => {
        const hits = new HitsByVisitor();
        for (const e of events) hits.add(e);
        return bounceUpdates(hits, view);
      },
      accumulate: (view) => {
        const hits = new HitsByVisitor();
        return { add: (e) => hits.add(e), finish: () => bounceUpdates(hits, view) };
      },
      // A visit open at the latest event may still grow: its bucket is left to the speed layer.
      settleMs: VISIT_GAP_MS,
    },
  },
});
