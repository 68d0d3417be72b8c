/**
 * How views get their batch input. A view is defined over events (e.g. PageKeys), but the
 * master dataset holds raw facts (a dataset's records, dataset.ts). A topology file that
 * `topo batch` runs exports `batchInput`: which declared dataset it reads, how a record
 * becomes the views' event (the same derivation the speed
 * layer applies, so a fixed normaliser is applied to all history on recompute), which events
 * are the same fact (counted once over all data), which events must meet in one reducer, and
 * reducers for views that are not monoids over events (bounce rate needs whole visits).
 *
 *   export const batchInput = defineBatchInput<PageKeys>({ dataset: 'pageviews', eventOf: pageKeysOf, ... });
 */
import type { ViewDef, ViewUpdate } from '../../views/view.js';
import { checkSideInputs, type SideInputs } from './side-input.js';

export interface BatchReducer<E> {
  /**
   * The updates of a non-monoid view from all events of one reduce partition. A partition
   * holds whole groups (every event with the same `groupOf`), after duplicate removal.
   * Updates of several partitions are summed (use `counters`).
   */
  readonly reduce: (events: readonly E[], view: ViewDef<E>) => ViewUpdate[];
  /**
   * The same computation fed one event at a time: `add` for each event of the partition
   * (after duplicate removal, in no particular order), then `finish` for the updates, which
   * must equal what `reduce` returns for those events. When given, the runner uses it and
   * does not keep the partition's events (holding them all promoted them to the old
   * generation, a large part of a reducer's garbage collection).
   */
  readonly accumulate?: (view: ViewDef<E>) => { add(event: E): void; finish(): ViewUpdate[] };
  /**
   * How long after the latest event a bucket's value can still change (a visit still open may
   * turn a bounce into a visit of two pageviews): the batch view covers buckets ending at or
   * before the latest event time minus this. Default 0.
   */
  readonly settleMs?: number;
}

/**
 * `R` is the dataset's record type. It defaults to `any` so that a batch input typed by its
 * event alone (`defineBatchInput<Hit>`) accepts an `eventOf` over its own record type. `S` is
 * the type of the side inputs' values by name (see `sideInputs`).
 */
export interface BatchInput<E, R = any, S = any> {
  /** The dataset read: a name in the module's `datasets` export. */
  readonly dataset: string;
  /**
   * Values built once per run from other datasets (or this one), whole, before any record is
   * read: `eventOf`'s second argument holds each by name (side-input.ts). An identity map from
   * a dataset of equivalences, a table to join with. None by default (`side` is then `{}`).
   */
  readonly sideInputs?: SideInputs<S>;
  /**
   * The views' event of a record of the dataset, or null when views skip it (counted as
   * skipped). `side` holds the side inputs' values, the same object for every record of a
   * thread; the event should carry whatever later steps (groupOf, identity, reducers) need of them.
   */
  readonly eventOf: (record: R, side: S) => E | null;
  /**
   * Events that must be seen together (duplicates of one fact, one visitor's visits) share
   * this value; the map phase partitions events by it, so each reducer holds whole groups.
   */
  readonly groupOf: (event: E) => string;
  /** Events with the same identity are one fact, counted once over all data. Default: all distinct. */
  readonly identityOf?: (event: E) => string;
  /**
   * The same identity as fields of the event: events are one fact when each of these fields
   * is equal (===). When given, the runner uses it instead of identityOf (no string built and
   * kept per event, see identity.ts), so the two must agree.
   */
  readonly identityFields?: readonly (keyof E & string)[];
  /** Non-monoid views by name; every other view uses its own keyOf/aggregation (updateOf). */
  readonly reducers?: Readonly<Record<string, BatchReducer<E>>>;
}

/** Checks a batch input's shape (it comes from a user module) and returns it typed. */
export function defineBatchInput<E, R = any, S = any>(input: BatchInput<E, R, S>): BatchInput<E, R, S> {
  return checkBatchInput<E>(input, 'batchInput') as BatchInput<E, R, S>;
}

/** Validates the `batchInput` export of a topology module; throws naming what is wrong. */
export function checkBatchInput<E = never>(value: unknown, where: string): BatchInput<E> {
  if (typeof value !== 'object' || value === null) {
    throw new Error(`${where}: export \`batchInput\` ({ dataset, eventOf, groupOf }) so \`topo batch\` knows how a master record becomes the views' event`);
  }
  const b = value as Record<string, unknown>;
  if (typeof b['dataset'] !== 'string' || !/^[a-z][a-z0-9_-]*$/.test(b['dataset'])) throw new Error(`${where}: batchInput.dataset must be a dataset folder name`);
  if (typeof b['eventOf'] !== 'function') throw new Error(`${where}: batchInput.eventOf must be a function (record, side) => event | null`);
  checkSideInputs(b['sideInputs'], where);
  if (typeof b['groupOf'] !== 'function') throw new Error(`${where}: batchInput.groupOf must be a function (event) => string`);
  if (b['identityOf'] !== undefined && typeof b['identityOf'] !== 'function') throw new Error(`${where}: batchInput.identityOf must be a function`);
  const fields = b['identityFields'];
  if (fields !== undefined && (!Array.isArray(fields) || fields.length === 0 || !fields.every((f) => typeof f === 'string' && f !== ''))) {
    throw new Error(`${where}: batchInput.identityFields must be a non-empty array of field names`);
  }
  const reducers = b['reducers'];
  if (reducers !== undefined) {
    if (typeof reducers !== 'object' || reducers === null) throw new Error(`${where}: batchInput.reducers must be an object of { reduce }`);
    for (const [name, r] of Object.entries(reducers)) {
      if (typeof (r as { reduce?: unknown }).reduce !== 'function') throw new Error(`${where}: batchInput.reducers.${name}.reduce must be a function`);
      const acc = (r as { accumulate?: unknown }).accumulate;
      if (acc !== undefined && typeof acc !== 'function') throw new Error(`${where}: batchInput.reducers.${name}.accumulate must be a function (view) => { add, finish }`);
    }
  }
  return value as BatchInput<E>;
}

/** 32-bit FNV-1a: cheap, stable across threads and runs, spreads similar strings well. */
export function partitionOf(group: string, partitions: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < group.length; i++) {
    h ^= group.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % partitions;
}

/**
 * partitionOf with a bounded memo per string: a dataset has far fewer URLs and visitors than
 * events, and a Map lookup (hashed natively) costs less than FNV over a URL in JavaScript.
 */
export function partitioner(partitions: number): (s: string) => number {
  const memo = new Map<string, number>();
  return (s) => {
    let p = memo.get(s);
    if (p === undefined) {
      p = partitionOf(s, partitions);
      if (memo.size >= 200_000) memo.clear();
      memo.set(s, p);
    }
    return p;
  };
}
