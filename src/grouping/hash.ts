/**
 * Stable hashing of field values for fields and partial-key groupings. Every thread must
 * compute the same hash for the same key, so nothing here may depend on object identity.
 */

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a over UTF-16 code units; `seed` gives independent hash functions (partial key). */
export function hashString(s: string, seed = FNV_OFFSET): number {
  let h = seed;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, FNV_PRIME);
  }
  return h >>> 0;
}

/** Hash any carriable value. Strings and integers take the fast path (no allocation). */
export function hashValue(v: unknown, seed = FNV_OFFSET): number {
  switch (typeof v) {
    case 'string':
      return hashString(v, seed);
    case 'number':
      if (Number.isInteger(v) && v >= -0x80000000 && v <= 0x7fffffff) {
        return mix32((v | 0) ^ seed);
      }
      return hashString(String(v), seed);
    case 'boolean':
      return mix32((v ? 1 : 2) ^ seed);
    case 'bigint':
      return hashString(v.toString(), seed);
    case 'undefined':
      return mix32(3 ^ seed);
    default:
      if (v === null) return mix32(4 ^ seed);
      // Objects hash by content so equal keys meet on one task.
      return hashString(stableStringify(v), seed);
  }
}

/** Combine the hashes of several fields (order matters). */
export function hashFields(values: readonly unknown[], indexes: readonly number[], seed = FNV_OFFSET): number {
  if (indexes.length === 1) return hashValue(values[indexes[0]!], seed);
  let h = seed;
  for (let i = 0; i < indexes.length; i++) {
    h = Math.imul(h ^ hashValue(values[indexes[i]!], seed), FNV_PRIME) >>> 0;
  }
  return h;
}

/** Murmur3's finaliser: spreads small integers over all 32 bits. */
function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function stableStringify(v: unknown): string {
  if (v instanceof Map) return stableStringify([...v.entries()].sort());
  if (v instanceof Set) return stableStringify([...v].sort());
  if (v instanceof Date) return `D${v.getTime()}`;
  if (ArrayBuffer.isView(v)) return `B${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64')}`;
  if (Array.isArray(v)) return `[${v.map(stableStringify).join(',')}]`;
  if (typeof v === 'object' && v !== null) {
    const keys = Object.keys(v).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${stableStringify((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return typeof v === 'bigint' ? `${v}n` : JSON.stringify(v) ?? 'undefined';
}
