/**
 * The common part of kinds whose cell is one number (count, sum): a Redis string the script
 * increments, MSET by the batch writer, MGET over a range, and a range total that is the sum
 * of its buckets. Each numeric kind's own file says what an event adds and which increment.
 */
import { valueKey } from '../keys.js';
import type { ViewUpdate } from '../view.js';
import { PER_COMMAND, type Aggregator, type AggregationKind, type BucketRead, type Cell, type CommandSink, type UpdateBase } from './kind.js';

export interface NumericOptions {
  /** Amounts must be integers (INCRBY); otherwise finite numbers (INCRBYFLOAT). */
  readonly integer: boolean;
  readonly amountOfEvent: (event: unknown) => number | undefined;
  /** The reduce loop's step (see Aggregator.foldEvent), written by each kind for its own amount. */
  readonly foldEvent: Aggregator<number, number>['foldEvent'];
}

/** A bound numeric aggregator: amounts are `n`, a cell is its sum. */
export function numericAggregator(kind: AggregationKind, o: NumericOptions): Aggregator<number, number> {
  const name = kind.name;
  const integer = o.integer;
  return {
    kind,
    fromEvents: true,
    idempotent: false,
    amountOfEvent: o.amountOfEvent,
    foldEvent: o.foldEvent,
    amountOf: (u) => u.n,
    withAmount: (base: UpdateBase, n: number): ViewUpdate => ({ ...base, n }),
    invalid(u) {
      const n = u['n'];
      if (typeof n !== 'number' || !Number.isFinite(n)) return `${name} update needs a finite n`;
      if (integer && !Number.isInteger(n)) return `${name} update needs an integer n`;
      return null;
    },
    empty: () => 0,
    fold: (m, n) => m + n,
    merge: (into, from) => into + from,
    value: (m) => m,
    score: (m) => m,
    pack: (m) => m,
    unpack: (p) => p as number,
    scoreArg: '-',
    pushAmount(list, from, to, out) {
      let n = 0;
      for (let i = from; i < to; i++) n += list[i]!.n ?? 0;
      if (!Number.isFinite(n) || (integer && !Number.isSafeInteger(n))) throw new Error(`${name} amount must be ${integer ? 'an integer' : 'a finite number'}, got ${n}`);
      out.push('1', String(n));
      return true;
    },
    writeBucket: writeNumbers,
    read: readNumbers,
    present: (v) => v,
    topNote: null,
  };
}

/** MSET of the cells' final numbers, PER_COMMAND keys a command. */
export function writeNumbers(w: CommandSink, bp: string, bucket: number, cells: ReadonlyMap<string, Cell<number>>): void {
  let left = 0, remaining = cells.size;
  for (const c of cells.values()) {
    if (left === 0) {
      left = Math.min(PER_COMMAND, remaining);
      remaining -= left;
      w.command('MSET', 2 * left);
    }
    w.arg(valueKey(bp, c.key, bucket)).num(c.m);
    left--;
  }
}

/** One MGET of every bucket's key (they share a hash tag: one slot); a missing bucket is 0. */
export function readNumbers(vkeys: readonly string[]): BucketRead {
  return {
    commands: vkeys.length === 0 ? [] : [['MGET', ...vkeys]],
    parse(replies) {
      const values = ((replies[0] ?? []) as Array<string | null>).map((s) => (s === null ? 0 : Number(s)));
      let total = 0;
      for (const v of values) total += v;
      return { values, total };
    },
  };
}
