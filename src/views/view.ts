/**
 * A view is defined once and read by every layer: the speed layer's writer bolt turns
 * events into updates with it, the batch layer recomputes the same updates from all data,
 * and queries read both by its key schema. How it aggregates is its kind's (src/views/kinds/:
 * count, sum, distinct and counters built in, one file each): plain kinds are monoids over
 * events; a view that is not (bounce rate needs sessions) uses `counters` (several named
 * counts per key) fed by a stateful bolt, and says how a range of its counters reads.
 */
import { aggregatorOf, kindOf } from './kinds/index.js';
// Kept in the emitted .d.ts (a value import is not): the built-in kinds' specs, merged into
// AggregationSpecs by their files, reach every importer's types.
import './kinds/index.js';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/**
 * The aggregations a view can name, by kind. Each kind's file adds its spec here by
 * declaration merging (`declare module '.../view.js' { interface AggregationSpecs { ... } }`),
 * so a new kind is typed by its own file.
 */
export interface AggregationSpecs {}

export type Aggregation = AggregationSpecs[keyof AggregationSpecs];

export interface ViewDef<E = Record<string, unknown>> {
  readonly name: string;
  /** Bump when the definition changes: both layers then write new keys. */
  readonly version: number;
  /** Bucket width in ms (UTC-aligned): whole seconds dividing a day, 1 s to 1 day; default one hour. */
  readonly bucketMs: number;
  readonly aggregation: Aggregation;
  /** The view key of an event (e.g. the normalised URL); null skips the event. Unused for `counters`. */
  readonly keyOf: (event: E) => string | null;
  /** Event time, epoch ms. */
  readonly timeOf: (event: E) => number;
  /** Apply each event at most once per bucket (ids kept per bucket in Redis, expiring with it). */
  readonly exactlyOnce: boolean;
  /** Realtime buckets expire this long after their end (default 7 days). */
  readonly ttlMs: number;
  /** Events later than this behind the latest event time are counted as late. */
  readonly allowedLatenessMs: number;
  /** How a query's key is normalised before lookup (e.g. a URL); null rejects it. Default: as given. */
  readonly normalizeKey?: (key: string) => string | null;
  /** For `counters` views: how a range's summed counters read (e.g. bounce rate). */
  readonly present?: (counters: Readonly<Record<string, number>>) => unknown;
}

export type ViewOptions<E> = Pick<ViewDef<E>, 'name' | 'aggregation' | 'timeOf'> & Partial<ViewDef<E>>;

const NAME = /^[a-z][a-z0-9_-]{0,63}$/;

/** Define a view with defaults; throws an error naming the option when one is wrong. */
export function defineView<E>(o: ViewOptions<E>): ViewDef<E> {
  if (!NAME.test(o.name)) throw new Error(`view name '${o.name}' must match ${NAME} (lowercase letters, digits, _ and -)`);
  const v: ViewDef<E> = {
    version: 1,
    bucketMs: HOUR_MS,
    exactlyOnce: false,
    ttlMs: 7 * DAY_MS,
    allowedLatenessMs: 5 * 60_000,
    keyOf: () => null,
    ...o,
  };
  const where = `view '${v.name}'`;
  if (!Number.isInteger(v.version) || v.version < 1) throw new Error(`${where}: version must be a positive integer, got ${v.version}`);
  // Whole seconds: bucket ids name seconds at most (keys.ts); dividing a day keeps every
  // bucket inside one UTC date, so a date partition of the master dataset holds whole buckets.
  if (!Number.isInteger(v.bucketMs) || v.bucketMs < 1000 || v.bucketMs % 1000 !== 0 || DAY_MS % v.bucketMs !== 0) {
    throw new Error(`${where}: bucketMs must be a whole number of seconds dividing a day (1000 = 1 s ... 86400000 = 1 day; e.g. 10000, 60000, 3600000), got ${v.bucketMs}`);
  }
  if (!(v.ttlMs > 0)) throw new Error(`${where}: ttlMs must be positive, got ${v.ttlMs}`);
  if (!(v.allowedLatenessMs >= 0)) throw new Error(`${where}: allowedLatenessMs must be >= 0, got ${v.allowedLatenessMs}`);
  const a = v.aggregation as { readonly kind: string } | undefined;
  if (a === null || typeof a !== 'object' || typeof a.kind !== 'string') throw new Error(`${where}: aggregation must be an object with a kind, got ${JSON.stringify(a)}`);
  kindOf(a.kind).validate(a, where);
  return Object.freeze(v);
}

/** A bucket width as people say it: `10 s`, `5 min`, `1 h`, `1 day`. */
export function formatBucket(ms: number): string {
  if (ms % DAY_MS === 0) return `${ms / DAY_MS} day${ms === DAY_MS ? '' : 's'}`;
  if (ms % HOUR_MS === 0) return `${ms / HOUR_MS} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${ms / 1000} s`;
}

/** Start (epoch ms) of the bucket holding `ts`. */
export function bucketOf(view: Pick<ViewDef, 'bucketMs'>, ts: number): number {
  return Math.floor(ts / view.bucketMs) * view.bucketMs;
}

/** Bucket starts covering [fromMs, toMs] (every bucket the range touches). */
export function bucketsBetween(view: Pick<ViewDef, 'bucketMs'>, fromMs: number, toMs: number): number[] {
  const out: number[] = [];
  for (let b = bucketOf(view, fromMs); b <= toMs; b += view.bucketMs) out.push(b);
  return out;
}

/**
 * One change to a view: what the speed layer writes and the batch layer produces. Its
 * amount is its kind's: count/sum carry `n`, distinct a `member`, counters `fields`; `id`
 * (the event's stable id) makes the write idempotent for exactly-once views.
 */
export interface ViewUpdate {
  readonly view: string;
  readonly key: string;
  /** Bucket start, epoch ms. */
  readonly bucket: number;
  readonly n?: number;
  readonly member?: string;
  readonly fields?: Readonly<Record<string, number>>;
  readonly id?: string;
  /** Event time, epoch ms: the writer counts an update as late by it (stores ignore it). */
  readonly time?: number;
}

/** The update a view fed by events derives from one event, or null (no key, nothing to add, or a counters view). */
export function updateOf<E>(view: ViewDef<E>, event: E, id?: string): ViewUpdate | null {
  const key = view.keyOf(event);
  if (key === null) return null;
  const agg = aggregatorOf(view.aggregation);
  const x = agg.amountOfEvent(event);
  if (x === undefined) return null;
  const time = view.timeOf(event);
  return agg.withAmount({ view: view.name, key, bucket: bucketOf(view, time), time, ...(id !== undefined ? { id } : {}) }, x);
}
