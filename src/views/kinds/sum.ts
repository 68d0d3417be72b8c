/**
 * `sum`: a numeric field of the events summed per key and bucket (bytes served, revenue).
 * A double per cell (a member of its bucket's top ZSET in Redis, see numeric.ts); an event
 * whose field is not a finite number is skipped. A range is the sum of its buckets.
 */
import type { AggregationKind } from './kind.js';
import { NUMERIC_LUA, numericAggregator } from './numeric.js';

export interface SumSpec {
  readonly kind: 'sum';
  /** The event field summed. */
  readonly field: string;
}

declare module '../view.js' {
  interface AggregationSpecs {
    sum: SumSpec;
  }
}

export const sumKind: AggregationKind<SumSpec> = {
  name: 'sum',
  validate(spec, where) {
    if (!spec.field) throw new Error(`${where}: sum needs a field`);
  },
  lua: { record: NUMERIC_LUA },
  bind(spec) {
    const field = spec.field;
    return numericAggregator(sumKind, {
      integer: false,
      amountOfEvent(event) {
        const n = Number((event as Record<string, unknown>)[field]);
        return Number.isFinite(n) ? n : undefined;
      },
      foldEvent(cells, key, bucket, event) {
        const n = Number((event as Record<string, unknown>)[field]);
        if (Number.isFinite(n)) cells.cell(key, bucket).m += n;
      },
    });
  },
};
