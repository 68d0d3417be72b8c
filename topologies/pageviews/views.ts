/**
 * The three views of the pageviews pipeline (the Lambda Architecture book's
 * SuperWebAnalytics queries), defined once for the speed layer, the batch layer and queries.
 * They read a keyed pageview: `{ visitor, url, domain, ts }` (see pageKeysOf).
 */
import { defineView, type ViewDef } from '../../src/views/index.js';
import type { PageKeys } from './event.js';
import { normalizeUrl } from './normalize-url.js';

/** Pageviews per normalised URL per hour. */
export const pageviewsView: ViewDef<PageKeys> = defineView<PageKeys>({
  name: 'pageviews',
  aggregation: { kind: 'count' },
  keyOf: (e) => e.url,
  timeOf: (e) => e.ts,
  normalizeKey: normalizeUrl,
});

/** Unique visitors per normalised URL per hour (HyperLogLog). */
export const uniquesView: ViewDef<PageKeys> = defineView<PageKeys>({
  name: 'uniques',
  aggregation: { kind: 'distinct', field: 'visitor' },
  keyOf: (e) => e.url,
  timeOf: (e) => e.ts,
  normalizeKey: normalizeUrl,
});

/**
 * Bounce rate per domain: visits and bounces counted per hour of a visit's first pageview.
 * Not a monoid over pageviews (a visit needs its neighbours), so the realtime side is fed
 * by a sessionizing bolt and the batch side by `visitsOf`; a range reads as one rate.
 */
export const bouncesView: ViewDef<PageKeys> = defineView<PageKeys>({
  name: 'bounces',
  aggregation: { kind: 'counters', fields: ['visits', 'bounces'] },
  timeOf: (e) => e.ts,
  normalizeKey: (k) => k.trim().toLowerCase() || null,
  present: (c) => {
    const visits = c['visits'] ?? 0;
    const bounces = c['bounces'] ?? 0;
    return { rate: visits === 0 ? 0 : bounces / visits, visits, bounces };
  },
});

export const PAGEVIEW_VIEWS = [pageviewsView, uniquesView, bouncesView] as const;
