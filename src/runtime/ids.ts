/**
 * Fast per-thread random numbers for edge ids. The acker XORs 64-bit ids, which we carry as
 * two int32 halves because JS bitwise operators work on 32 bits. A crypto call per tuple would
 * dominate the hot path, so we seed xorshift128 once from crypto and step it per id.
 */
import { randomFillSync } from 'node:crypto';

export class IdGenerator {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed?: Uint32Array) {
    const s = seed ?? randomFillSync(new Uint32Array(4));
    this.s0 = s[0]! | 0 || 1;
    this.s1 = s[1]! | 0;
    this.s2 = s[2]! | 0;
    this.s3 = s[3]! | 0;
  }

  /** Next 32 random bits as a signed int32 (xorshift128, Marsaglia 2003). */
  next(): number {
    let t = this.s3;
    const s = this.s0;
    this.s3 = this.s2;
    this.s2 = this.s1;
    this.s1 = s;
    t ^= t << 11;
    t ^= t >>> 8;
    this.s0 = t ^ s ^ (s >>> 19);
    return this.s0;
  }

  /** Random non-zero edge id half: a zero pair would be invisible to the XOR ledger. */
  nextNonZero(): number {
    let v = this.next();
    while (v === 0) v = this.next();
    return v;
  }

  /** Uniform in [0, 1), for shuffles. */
  random(): number {
    return (this.next() >>> 0) / 4294967296;
  }
}
