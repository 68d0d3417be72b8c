// The key schema's hash tags (src/views/keys.ts), as redis-cli shows them, and the slots they
// give: a key's realtime and batch buckets in one slot, a view's own keys in another.
import { describe, expect, it } from 'vitest';
import { keySlot } from '../../src/speed/slot.js';
import { batchBucketsKey, batchPointerKey, batchPrefix, batchVersionsKey, idsKey, keysKey, lateKey, topKey, valueKey, viewPrefix } from '../../src/views/keys.js';

const H = Date.UTC(2015, 4, 17, 10);

describe('key schema hash tags', () => {
  it('writes the documented names', () => {
    const p = viewPrefix('pageviews', { name: 'pageviews', version: 1 });
    expect(valueKey(p, 'http://semicomplete.com/', H)).toBe('topo:pageviews:pageviews:v1:{pageviews:http://semicomplete.com/}:2015-05-17T10:00Z');
    expect(idsKey(p, '/a', H)).toBe('topo:pageviews:pageviews:v1:{pageviews:/a}:2015-05-17T10:00Z:ids');
    expect(topKey(p, H)).toBe('topo:pageviews:pageviews:v1:{pageviews}:top:2015-05-17T10:00Z');
    expect(keysKey(p)).toBe('topo:pageviews:pageviews:v1:{pageviews}:keys');
    expect(lateKey(p)).toBe('topo:pageviews:pageviews:v1:{pageviews}:late');
    expect(batchPointerKey(p)).toBe('topo:pageviews:pageviews:v1:{pageviews}:batch');
    expect(batchVersionsKey(p)).toBe('topo:pageviews:pageviews:v1:{pageviews}:batches');
    const bp = batchPrefix(p, 12);
    expect(valueKey(bp, '/a', H)).toBe('topo:pageviews:pageviews:v1:b12:{pageviews:/a}:2015-05-17T10:00Z');
    expect(batchBucketsKey(bp)).toBe('topo:pageviews:pageviews:v1:b12:{pageviews}:buckets');
    // Braces in a key cannot end the tag early.
    expect(valueKey(p, '/x{y}', H)).toBe('topo:pageviews:pageviews:v1:{pageviews:/x%7By%7D}:2015-05-17T10:00Z');
  });

  it('puts a key\'s realtime and batch buckets in one slot, and a view\'s own keys in one slot', () => {
    const p = viewPrefix('ns:with:colons', { name: 'v-1_b', version: 3 });
    const bp = batchPrefix(p, 7);
    const slot = keySlot(valueKey(p, '/k', H));
    expect(keySlot(valueKey(p, '/k', H + 3_600_000))).toBe(slot);
    expect(keySlot(valueKey(bp, '/k', H))).toBe(slot);
    expect(keySlot(idsKey(p, '/k', H))).toBe(slot);
    const own = keySlot(topKey(p, H));
    for (const k of [topKey(bp, H + 3_600_000), keysKey(p), keysKey(bp), lateKey(p), batchPointerKey(p), batchBucketsKey(bp)]) expect(keySlot(k), k).toBe(own);
    // The view is in the tag: the same key of two views spreads.
    const other = viewPrefix('ns:with:colons', { name: 'other', version: 3 });
    const spread = new Set(Array.from({ length: 20 }, (_, i) => keySlot(valueKey(i % 2 ? p : other, `/k${i >> 1}`, H))));
    expect(spread.size).toBeGreaterThan(15);
  });

  it('matches Redis\'s CRC16 slots (values from CLUSTER KEYSLOT) and refuses a prefix that names no view', () => {
    expect(keySlot('foo')).toBe(12182);
    expect(keySlot('{user1000}.following')).toBe(3443);
    expect(keySlot('user1000')).toBe(3443);
    expect(keySlot('foo{}{bar}')).toBe(8363); // an empty tag: the whole key
    expect(keySlot('a{b}c')).toBe(3300);
    expect(keySlot('123456789')).toBe(12739);
    expect(keySlot('é{}')).toBe(12524); // UTF-8 bytes
    expect(() => valueKey('custom:prefix', '/k', H)).toThrow(/not a view key prefix: 'custom:prefix'/);
  });
});
