/**
 * What a view writer holds between two flushes: the input tuples (acked only once the flush
 * is written) and their updates grouped by view, bucket and key as they arrive, which is the
 * form the Redis encoder writes records from (apply-script.ts: a record per bucket; plain
 * views sum a cell's updates, distinct views send each member once, exactly-once views keep
 * one entry per event id, because Redis must see each id to decide whether that event was
 * already applied). Grouping here, once, spares the encoder a second pass over every update.
 */
import type { Tuple } from '../api/tuple.js';
import type { ViewUpdate } from '../views/view.js';
import type { Aggregator } from '../views/kinds/index.js';
import { addUpdate, type FlushCells } from './apply-script.js';
import type { StoreView } from './store.js';

export class FlushBatch {
  /** Inputs whose updates are in this batch. */
  readonly tuples: Tuple[] = [];
  /** view name -> events counted as late in this batch. */
  readonly late: Record<string, number> = {};
  /** Updates added. */
  size = 0;
  /** view -> bucket -> key -> its updates, in arrival order. */
  readonly cells: FlushCells = new Map();

  add(u: ViewUpdate, view: StoreView): void {
    this.size++;
    addUpdate(this.cells, u, view);
  }

  countLate(view: string): void {
    this.late[view] = (this.late[view] ?? 0) + 1;
  }

  get empty(): boolean {
    return this.tuples.length === 0 && this.size === 0;
  }

  /** Every update, cell by cell (for stores that take a plain list). */
  updates(): ViewUpdate[] {
    const out: ViewUpdate[] = [];
    for (const buckets of this.cells.values()) for (const keys of buckets.values()) for (const list of keys.values()) for (const u of list) out.push(u);
    return out;
  }
}

/** A view as the writer checks updates of it: the view and its bound aggregator (looked up once, at prepare). */
export interface CheckedView {
  readonly view: StoreView;
  readonly agg: Aggregator;
}

/**
 * Check that a value off a tuple is a well-formed update of a known view; returns an error
 * message or null. Tuples cross threads as msgpack, so this is the first place the writer
 * sees what upstream bolts really sent. The amount's fields are the view's kind's to check.
 */
export function invalidUpdate(u: unknown, views: ReadonlyMap<string, CheckedView>): string | null {
  if (u === null || typeof u !== 'object') return `expected a ViewUpdate object, got ${JSON.stringify(u)}`;
  const x = u as Record<string, unknown>;
  const checked = typeof x['view'] === 'string' ? views.get(x['view']) : undefined;
  if (checked === undefined) return `update names unknown view ${JSON.stringify(x['view'])} (known: ${[...views.keys()].join(', ')})`;
  const { view, agg } = checked;
  if (typeof x['key'] !== 'string') return `view '${view.name}': update key must be a string`;
  if (typeof x['bucket'] !== 'number' || x['bucket'] % view.bucketMs !== 0) return `view '${view.name}': bucket must be a bucket start (multiple of ${view.bucketMs})`;
  const bad = agg.invalid(x);
  if (bad !== null) return `view '${view.name}': ${bad}`;
  if (view.exactlyOnce && !agg.idempotent && typeof x['id'] !== 'string') return `view '${view.name}' is exactly-once: update needs a string id`;
  return null;
}
