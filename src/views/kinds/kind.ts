/**
 * What an aggregation kind is: everything every layer needs to know about one way of
 * aggregating a view, in one object, so that the speed layer (writer, Redis script, memory
 * store), the batch layer (reduce, combine, write) and the serving layer (reads over buckets,
 * presentation) dispatch through it and none of them names a kind. A kind file (count.ts,
 * distinct.ts, ...) exports one `AggregationKind`; registry.ts keeps them by name.
 *
 * A kind is bound once per view (`bind(spec)`, at define or prepare time): the result holds
 * the spec's fields in closures, so the per-event paths call it without looking anything up.
 *
 * Three shapes of data pass through it: the *amount* one event or update adds (`X`: 1, a
 * member, a counters record), the *accumulator* of one cell in memory (`M`: the batch
 * runner's cells and the in-process store), and the *value* stores and queries return
 * (`ViewValue`). In Redis a cell is whatever the kind's script branch and batch write make.
 */
import type { ViewUpdate } from '../view.js';

/** The value of one key in one bucket, as stores and queries give it: a number or named counters. */
export type ViewValue = number | Record<string, number>;

/** The fields of an update every kind shares (the amount is the kind's). */
export type UpdateBase = Pick<ViewUpdate, 'view' | 'key' | 'bucket' | 'time' | 'id'>;

/** Where a batch write encodes its commands (the batch runner's RespWriter is one). */
export interface CommandSink {
  /** Start a command of `args` arguments after its name; exactly that many arg()/num() follow. */
  command(name: string, args: number): this;
  arg(s: string): this;
  num(n: number): this;
}

/** Members or key/value pairs per Redis command: a command runs whole, and short ones keep queries served meanwhile fast. */
export const PER_COMMAND = 500;

/** One cell of a batch aggregate: a key's accumulator in one bucket. */
export interface Cell<M = unknown> {
  readonly key: string;
  readonly bucket: number;
  m: M;
}

/** Where foldEvent finds a cell (the batch runner's BatchAggregate). */
export interface CellTable<M = unknown> {
  cell(key: string, bucket: number): Cell<M>;
}

/** A Redis command of a read, sent in the reader's pipeline: name, then arguments. */
export type ReadCommand = readonly [name: string, ...args: string[]];

/** A read of one key over buckets: its commands, and how their replies become values. */
export interface BucketRead {
  readonly commands: readonly ReadCommand[];
  /** `replies` are the commands' replies, in order (raw RESP: arrays, strings, numbers, null). */
  parse(replies: readonly unknown[]): { values: ViewValue[]; total: ViewValue };
}

/**
 * The Lua of a kind's branch in the flush script (src/speed/apply-lua.ts), statements inlined
 * in the script's value-record loop (a function call per amount cost the script ~5%).
 * `apply` adds one amount, ARGV `A[i .. i+k-1]` as pushAmount wrote it, to the value key `vk`
 * and sets `score` to the cell's score after it (its top ZSET score); `read` sets `score`
 * when every event was skipped (false: no cell). `first` is the record's `scoreArg`. Locals
 * they declare stay within their branch.
 */
export interface KindLua {
  readonly apply: string;
  readonly read: string;
}

/** One view's aggregation, bound: see the file comment. */
export interface Aggregator<X = unknown, M = unknown> {
  readonly kind: AggregationKind;
  /** False for kinds fed only by a batch reducer and a bolt of their own (counters): updateOf gives nothing. */
  readonly fromEvents: boolean;
  /** Adding the same amount again changes nothing (a set): exactly-once views then need no event ids. */
  readonly idempotent: boolean;

  /** What one event adds to its cell, or undefined when it adds nothing (the event is skipped). */
  amountOfEvent(event: unknown): X | undefined;
  /**
   * The batch reduce loop's step: fold what `event` adds into its cell, `cells.cell(key,
   * bucket)`, made only when the event adds something. The same as fold(cell,
   * amountOfEvent(event)), written in the kind so the loop makes one call per event and view
   * (two calls through the aggregator, each seeing every kind of the run, cost ~10%).
   */
  foldEvent(cells: CellTable<M>, key: string, bucket: number, event: unknown): void;
  /** The amount an update carries (undefined: none). */
  amountOf(u: ViewUpdate): X | undefined;
  /** The update that carries `x`. */
  withAmount(base: UpdateBase, x: X): ViewUpdate;
  /** Why an update from a tuple does not carry a well-formed amount (its kind's fields), or null. */
  invalid(u: Readonly<Record<string, unknown>>): string | null;

  /** In memory: an empty cell, one amount folded in, two cells merged (the monoid), all may reuse `m`/`into`. */
  empty(): M;
  fold(m: M, x: X): M;
  merge(into: M, from: M): M;
  /** The cell's value as stores return it, and its score in the top ZSETs. */
  value(m: M): ViewValue;
  score(m: M): number;
  /** A cell as plain data (it crosses threads by msgpack and spills between batch tasks), and back. */
  pack(m: M): unknown;
  unpack(p: unknown): M;

  /** Speed layer: the record's extra argument handed to the Lua functions (e.g. the first counter). */
  readonly scoreArg: string;
  /**
   * Push `k a1 .. ak`, the amount of list[from, to) summed, onto `out` for the script; throws
   * on an amount Redis would refuse (a script that errors halfway keeps what it wrote).
   * Returns false, having pushed nothing, when the amount is empty (nothing to write).
   */
  pushAmount(list: readonly ViewUpdate[], from: number, to: number, out: string[]): boolean;

  /** Batch layer: write one bucket's cells under batch prefix `bp` with the cheapest commands that make them. */
  writeBucket(w: CommandSink, bp: string, bucket: number, cells: ReadonlyMap<string, Cell<M>>): void;

  /** Serving: read value keys `vkeys` (one per bucket, same hash tag) and their merge over the range. */
  read(vkeys: readonly string[]): BucketRead;
  /** How a value reads in answers (`present` is the view's own, e.g. counters as a bounce rate). */
  present(v: ViewValue, present: ((counters: Readonly<Record<string, number>>) => unknown) | undefined): unknown;
  /** Said next to a top list when its scores are not the range's values (distinct: summed per bucket). */
  readonly topNote: string | null;
}

/** A kind: its name (what views write as `aggregation.kind`), its checks, its Lua, and how it binds to a view. */
export interface AggregationKind<S extends { readonly kind: string } = { readonly kind: string }> {
  readonly name: S['kind'];
  /** Throw an error starting with `where` when the view's spec is wrong (called by defineView). */
  validate(spec: S, where: string): void;
  readonly lua: KindLua;
  bind(spec: S): Aggregator;
}
