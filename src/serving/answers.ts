/**
 * The JSON answers of the serving layer: what `topo query|top|keys --json` print and what
 * `topo serve` returns, built in one place so both say the same. Inputs are checked by
 * request.ts first; these functions only read Redis (through ServingLayer) and shape.
 */
import type { RedisClient } from '../speed/redis-client.js';
import type { StoreView, TopEntry, ViewValue } from '../speed/store.js';
import type { Aggregation, ViewDef } from '../views/view.js';
import { aggregatorOf } from '../views/kinds/index.js';
import { readPointer } from './pointer.js';
import type { ServingLayer, Source } from './query.js';
import { resolveRange, type RangeInput, type RangeNames } from './request.js';

export interface QueryAnswer {
  readonly view: string;
  /** Normalised, as the view stores it. */
  readonly key: string;
  readonly from: string;
  readonly to: string;
  /** The merge of the buckets answered; when `complete` is false, missing buckets are left out. */
  readonly value: unknown;
  /** False when some bucket is missing: neither a batch version nor the realtime view holds it. */
  readonly complete: boolean;
  /** How many buckets are missing. */
  readonly missing: number;
  /** A missing bucket's value is null and its source `missing`. */
  readonly buckets: ReadonlyArray<{ readonly start: string; readonly value: unknown; readonly source: Source }>;
  /** The batch coverage the answer used (ISO), or null before any batch run. */
  readonly watermark: string | null;
}

export interface TopAnswer {
  readonly view: string;
  /** Over the buckets answered; `complete` and `missing` as in a query's answer. */
  readonly top: readonly TopEntry[];
  readonly complete: boolean;
  readonly missing: number;
  readonly watermark: string | null;
}

export interface KeysAnswer {
  readonly view: string;
  readonly keys: readonly string[];
}

export interface ViewsAnswer {
  readonly namespace: string;
  readonly views: ReadonlyArray<{
    readonly name: string;
    readonly version: number;
    readonly aggregation: Aggregation;
    readonly bucketMs: number;
    readonly watermark: string | null;
  }>;
}

const iso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString());

/** A key's value per bucket and over the range; `key` is already normalised (request.ts viewKey). */
export async function queryAnswer(serving: ServingLayer, view: ViewDef<never>, key: string, input: RangeInput, names: RangeNames): Promise<QueryAnswer> {
  const { from, to, buckets } = await resolveRange(view, input, names, serving);
  const r = await serving.query(view as StoreView, key, buckets);
  // How a value reads is its kind's (counters through the view's own `present`, e.g. a rate).
  const agg = aggregatorOf(view.aggregation);
  const shape = (v: ViewValue): unknown => agg.present(v, view.present);
  return {
    view: view.name, key, from: new Date(from).toISOString(), to: new Date(to).toISOString(),
    value: shape(r.total), complete: r.missing === 0, missing: r.missing,
    buckets: r.buckets.map((b) => ({ start: new Date(b.bucket).toISOString(), value: b.value === null ? null : shape(b.value), source: b.source })),
    watermark: iso(r.watermark),
  };
}

/** The `n` keys with the highest values over the range. */
export async function topAnswer(serving: ServingLayer, view: ViewDef<never>, n: number, input: RangeInput, names: RangeNames): Promise<TopAnswer> {
  const { buckets } = await resolveRange(view, input, names, serving);
  const { top, missing, watermark } = await serving.top(view as StoreView, buckets, n);
  return { view: view.name, top, complete: missing === 0, missing, watermark: iso(watermark) };
}

/** Every key of the view, most recent bucket first. */
export async function keysAnswer(serving: ServingLayer, view: ViewDef<never>): Promise<KeysAnswer> {
  return { view: view.name, keys: await serving.keys(view as StoreView) };
}

/** The views a topology defines, each with its current batch coverage. */
export async function viewsAnswer(redis: RedisClient, namespace: string, views: readonly ViewDef<never>[]): Promise<ViewsAnswer> {
  const pointers = await Promise.all(views.map((v) => readPointer(redis, namespace, v)));
  return {
    namespace,
    views: views.map((v, i) => ({ name: v.name, version: v.version, aggregation: v.aggregation, bucketMs: v.bucketMs, watermark: iso(pointers[i]?.watermark ?? null) })),
  };
}
