/**
 * What a view writer holds between two flushes: the input tuples (acked only once the flush
 * is written) and their updates aggregated locally, so a flush sends one amount per
 * (view, key, bucket) instead of one per event. Exactly-once views keep one entry per event,
 * because Redis must see each id to decide whether that event was already applied; copies of
 * one id in a flush are left to the store, which applies the first only (apply-script.ts).
 */
import type { Tuple } from '../api/tuple.js';
import type { ViewUpdate } from '../views/view.js';
import type { StoreView } from './store.js';

interface Cell {
  readonly view: string;
  readonly key: string;
  readonly bucket: number;
  n: number;
  fields: Record<string, number> | null;
  members: Set<string> | null;
}

export class FlushBatch {
  /** Inputs whose updates are in this batch. */
  readonly tuples: Tuple[] = [];
  /** view name -> events counted as late in this batch. */
  readonly late: Record<string, number> = {};
  /** Updates added (before aggregation). */
  size = 0;
  private readonly cells = new Map<string, Cell>();
  private readonly events: ViewUpdate[] = [];

  add(u: ViewUpdate, view: StoreView): void {
    this.size++;
    const kind = view.aggregation.kind;
    if (view.exactlyOnce && kind !== 'distinct') {
      // Only what the store needs: no event time, no stray properties.
      this.events.push(kind === 'counters' ? { view: u.view, key: u.key, bucket: u.bucket, fields: u.fields ?? {}, id: u.id! } : { view: u.view, key: u.key, bucket: u.bucket, n: u.n ?? 0, id: u.id! });
      return;
    }
    const id = `${u.view}\u0000${u.bucket}\u0000${u.key}`;
    let c = this.cells.get(id);
    if (c === undefined) {
      c = { view: u.view, key: u.key, bucket: u.bucket, n: 0, fields: kind === 'counters' ? {} : null, members: kind === 'distinct' ? new Set() : null };
      this.cells.set(id, c);
    }
    if (c.members !== null) {
      if (u.member !== undefined) c.members.add(u.member);
    } else if (c.fields !== null) {
      for (const [f, n] of Object.entries(u.fields ?? {})) c.fields[f] = (c.fields[f] ?? 0) + n;
    } else c.n += u.n ?? 0;
  }

  countLate(view: string): void {
    this.late[view] = (this.late[view] ?? 0) + 1;
  }

  get empty(): boolean {
    return this.tuples.length === 0 && this.size === 0;
  }

  /** The aggregated updates: one per (view, key, bucket), one per member, one per exactly-once event. */
  updates(): ViewUpdate[] {
    const out: ViewUpdate[] = [...this.events];
    for (const c of this.cells.values()) {
      const base = { view: c.view, key: c.key, bucket: c.bucket };
      if (c.members !== null) for (const member of c.members) out.push({ ...base, member });
      else if (c.fields !== null) out.push({ ...base, fields: c.fields });
      else out.push({ ...base, n: c.n });
    }
    return out;
  }
}

/**
 * Check that a value off a tuple is a well-formed update of a known view; returns an error
 * message or null. Tuples cross threads as msgpack, so this is the first place the writer
 * sees what upstream bolts really sent.
 */
export function invalidUpdate(u: unknown, views: ReadonlyMap<string, StoreView>): string | null {
  if (u === null || typeof u !== 'object') return `expected a ViewUpdate object, got ${JSON.stringify(u)}`;
  const x = u as Record<string, unknown>;
  const view = typeof x['view'] === 'string' ? views.get(x['view']) : undefined;
  if (view === undefined) return `update names unknown view ${JSON.stringify(x['view'])} (known: ${[...views.keys()].join(', ')})`;
  if (typeof x['key'] !== 'string') return `view '${view.name}': update key must be a string`;
  if (typeof x['bucket'] !== 'number' || x['bucket'] % view.bucketMs !== 0) return `view '${view.name}': bucket must be a bucket start (multiple of ${view.bucketMs})`;
  const kind = view.aggregation.kind;
  if ((kind === 'count' || kind === 'sum') && (typeof x['n'] !== 'number' || !Number.isFinite(x['n']))) return `view '${view.name}': ${kind} update needs a finite n`;
  if (kind === 'count' && !Number.isInteger(x['n'])) return `view '${view.name}': count update needs an integer n`;
  if (kind === 'distinct' && typeof x['member'] !== 'string') return `view '${view.name}': distinct update needs a string member`;
  if (kind === 'counters') {
    const f = x['fields'];
    if (f === null || typeof f !== 'object' || !Object.values(f).every((n) => Number.isInteger(n))) return `view '${view.name}': counters update needs integer fields`;
  }
  if (view.exactlyOnce && kind !== 'distinct' && typeof x['id'] !== 'string') return `view '${view.name}' is exactly-once: update needs a string id`;
  return null;
}
