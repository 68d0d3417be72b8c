/**
 * `count`: events per key and bucket, an integer per cell (a member of its bucket's top ZSET
 * in Redis, see numeric.ts); a range is the sum of its buckets. The kind of the pageviews view.
 */
import type { AggregationKind } from './kind.js';
import { NUMERIC_LUA, numericAggregator } from './numeric.js';

export interface CountSpec {
  readonly kind: 'count';
}

declare module '../view.js' {
  interface AggregationSpecs {
    count: CountSpec;
  }
}

const one = (): number => 1;

export const countKind: AggregationKind<CountSpec> = {
  name: 'count',
  validate: () => {},
  lua: { record: NUMERIC_LUA },
  bind: () => numericAggregator(countKind, {
    integer: true,
    amountOfEvent: one,
    foldEvent(cells, key, bucket) {
      cells.cell(key, bucket).m += 1;
    },
  }),
};
