/**
 * `count`: events per key and bucket. A Redis string counter (INCRBY), an integer per cell;
 * a range is the sum of its buckets. The kind of the pageviews view.
 */
import type { AggregationKind } from './kind.js';
import { numericAggregator } from './numeric.js';

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
  lua: {
    apply: `score = redis.call('INCRBY', vk, A[i])`,
    read: `score = redis.call('GET', vk)`,
  },
  bind: () => numericAggregator(countKind, {
    integer: true,
    amountOfEvent: one,
    foldEvent(cells, key, bucket) {
      cells.cell(key, bucket).m += 1;
    },
  }),
};
