/**
 * 64-bit random edge ids as two int32 halves (the acker XORs ids, and a
 * pair of int32s avoids BigInt). Candidates:
 *  - xorshift128+ in pure JS on 32-bit halves, seeded once from crypto;
 *  - crypto.getRandomValues per id;
 *  - crypto.getRandomValues into a 4096-int pool, handed out pairwise;
 *  - Math.random twice, as a reference (V8's Math.random is xorshift128+ too,
 *    but only 52 bits per call reach JS).
 * Ids need to be unlikely to collide, not unpredictable, so a seeded PRNG is
 * acceptable if it is fast enough to matter.
 */
import { getRandomValues } from 'node:crypto';
import type { ScenarioResult } from '../lib/report.js';
import type { MicroCase } from './suite.js';
import { runSuite } from './suite.js';

/**
 * xorshift128+ with each 64-bit state word held as (hi, lo) int32s in an
 * Int32Array: keeping every value int32 lets V8 stay on untagged integer
 * paths instead of boxing uint32 values above 2^31 as doubles.
 */
export class XorShift128Plus {
  private readonly s = new Int32Array(4); // s0.hi, s0.lo, s1.hi, s1.lo

  constructor(seed: Uint32Array | Int32Array = getRandomValues(new Uint32Array(4))) {
    this.s.set([seed[0]!, seed[1]!, seed[2]!, seed[3]! | 1]); // state must not be all zero
  }

  /** Writes the next 64-bit value into out[0] (hi) and out[1] (lo) as int32s. */
  next(out: Int32Array): void {
    const s = this.s;
    let xh = s[0]!;
    let xl = s[1]!;
    const yh = s[2]!;
    const yl = s[3]!;
    s[0] = yh;
    s[1] = yl;
    // x ^= x << 23
    xh ^= (xh << 23) | (xl >>> 9);
    xl ^= xl << 23;
    // x ^= x >>> 17
    xl ^= (xl >>> 17) | (xh << 15);
    xh ^= xh >>> 17;
    // x ^= y ^ (y >>> 26)
    xl ^= yl ^ ((yl >>> 26) | (yh << 6));
    xh ^= yh ^ (yh >>> 26);
    s[2] = xh;
    s[3] = xl;
    // result = s1 + y: 64-bit add, carry when the unsigned low sum wraps
    const lo = (xl + yl) | 0;
    out[0] = (xh + yh + ((lo >>> 0) < (xl >>> 0) ? 1 : 0)) | 0;
    out[1] = lo;
  }
}

/** crypto-backed ids drawn from a refilled pool, amortizing the native call. */
class CryptoPool {
  private readonly pool = new Int32Array(4096);
  private i = this.pool.length;

  next(out: Int32Array): void {
    if (this.i === this.pool.length) {
      getRandomValues(this.pool);
      this.i = 0;
    }
    out[0] = this.pool[this.i++]!;
    out[1] = this.pool[this.i++]!;
  }
}

export function microIds(quick: boolean): ScenarioResult[] {
  const out = new Int32Array(2);
  const xs = new XorShift128Plus();
  const pool = new CryptoPool();
  let acc = 0; // XOR of every id, like the acker would keep
  const cases: MicroCase[] = [
    { name: 'xorshift128+ (pure JS)', fn: () => (xs.next(out), (acc ^= out[0]! ^ out[1]!)) },
    { name: 'crypto.getRandomValues per id', fn: () => (getRandomValues(out), (acc ^= out[0]! ^ out[1]!)) },
    { name: 'crypto.getRandomValues pooled', fn: () => (pool.next(out), (acc ^= out[0]! ^ out[1]!)) },
    {
      name: 'Math.random x2 (reference)',
      fn: () => {
        out[0] = (Math.random() * 0x100000000) | 0;
        out[1] = (Math.random() * 0x100000000) | 0;
        acc ^= out[0]! ^ out[1]!;
      },
    },
  ];
  const rows = runSuite('ids', cases, quick);
  // Keep `acc` observable so the loop bodies cannot be eliminated.
  for (const r of rows) r.config = { ...r.config, xorCheck: acc & 1 };
  return rows;
}
