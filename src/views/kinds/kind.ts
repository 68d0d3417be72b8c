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
 * (`ViewValue`). In Redis a cell is whatever the kind's script branch and batch write make:
 * a member of its bucket's top ZSET (count, sum) or a key of its own (distinct, counters).
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

/** Where a read finds one bucket of a key: under `prefix` (realtime or a batch version's). */
export interface BucketAt {
  readonly prefix: string;
  readonly bucket: number;
}

/** A read of one key over buckets: its commands, and how their replies become values. */
export interface BucketRead {
  readonly commands: readonly ReadCommand[];
  /** `replies` are the commands' replies, in order (raw RESP: arrays, strings, numbers, null). */
  parse(replies: readonly unknown[]): { values: ViewValue[]; total: ViewValue };
}

/**
 * The Lua of a kind in the flush script (src/speed/apply-lua.ts): statements that apply one
 * record of the kind, inlined as the kind's branch of the script's record loop. In scope:
 *
 *   mode    1: the record's cells and their top entries are both
 *           written here (one Redis); 2: only the cells, each cell's score goes to the reply
 *           with `reply(score)` in cell order (a Redis Cluster's slot call: the view's own call
 *           sets the top scores afterwards)
 *   at      the bucket's expiry, epoch ms        tk      the bucket's top ZSET
 *   bidx    the view's buckets ZSET (the core's) bucket  the bucket start
 *           (`at` and `bucket` as strings: Redis formats a Lua number argument costly)
 *   ids     exactly-once: `cellsInTop` kinds get the bucket's id set, the others `true` (a
 *           cell's set is `vk .. ':ids'`); false when the view is not exactly-once
 *   head, tail  a cell's value key is `head .. (ek or key) .. tail`
 *   arg     the aggregator's `recordArg`         cells   the flat array pushCell filled
 *
 * and helpers: `num(x)` (a number as a command argument, cheaply), `scores(keys)` (ZMSCORE of tk: a table of scores, false for keys not in it),
 * `zadd(key, flat, flag)` (ZADD of score/member pairs, chunked), `sadd(key, list)`,
 * `ismember(key, list)` (SMISMEMBER), `cellKeys(cells)` (the keys of cells laid out as
 * `key, ek, len, <len values>`), `extend(key, at)` (moves a
 * shared key's expiry later, once per script), `top(key, score)` (mode 1: queues the cell's
 * top entry), `reply(x)` (mode 2: a cell's score) and `skipped` (a counter of exactly-once
 * events found applied). The core writes the queued top entries with one ZADD per record,
 * extends tk and adds the bucket to bidx. Locals stay within the branch.
 */
export interface KindLua {
  readonly record: string;
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

  /**
   * Speed layer: the cells of a bucket are members of its top ZSET, their values its scores
   * (count, sum: one key per bucket, no key per cell); else each cell has a value key and the
   * top ZSET holds its score.
   */
  readonly cellsInTop: boolean;
  /** The record's `arg` in the kind's Lua (counters: the first field, which scores a cell). */
  readonly recordArg: string;
  /**
   * Append one cell to a flush record's `cells`, in the layout the kind's Lua reads: `key` the
   * view key, `ek` its escaped form for the value key when that differs (else false), `list`
   * the cell's updates in arrival order, with `ids` one per distinct event id (each to be
   * applied once, by its id). Returns false, having appended nothing, when the cell adds
   * nothing. Throws on an amount Redis would refuse: a script that errors halfway keeps what
   * it wrote.
   */
  pushCell(cells: unknown[], key: string, ek: string | false, list: readonly ViewUpdate[], ids: boolean): boolean;

  /** Batch layer: write one bucket's cells under batch prefix `bp` with the cheapest commands that make them. */
  writeBucket(w: CommandSink, bp: string, bucket: number, cells: ReadonlyMap<string, Cell<M>>): void;

  /**
   * Serving: read `key` in each of `at` (a key prefix, realtime or a batch version's, and a
   * bucket; every read stays in one slot) and their merge over the range.
   */
  read(key: string, at: readonly BucketAt[]): BucketRead;
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
