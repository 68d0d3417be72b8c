/**
 * Emit-time check that a value survives the trip between threads (msgpackr) unchanged.
 * It runs on every emit, so primitives take a single typeof; only objects are walked.
 * Checking at emit (not at encode) lets the error name the component, stream and field,
 * and keeps one-thread runs honest about what multi-thread runs could carry.
 */

/** Where a problem is (built while unwinding, so a carriable value allocates nothing) and what it is. */
interface Problem {
  path: string;
  readonly what: string;
}

/** Returns null when carriable, else a description of the first problem (with its path). */
export function whyNotCarriable(v: unknown): string | null {
  const p = problemOf(v, 0);
  if (p === null) return null;
  return `${p.path ? `value at ${p.path} ` : 'value '}${p.what}`;
}

function problemOf(v: unknown, depth: number): Problem | null {
  switch (typeof v) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'undefined':
      return null;
    case 'function':
      return { path: '', what: 'is a function' };
    case 'symbol':
      return { path: '', what: 'is a symbol' };
    case 'bigint':
      return { path: '', what: 'is a bigint (not carried exactly; convert it to a string or number)' };
  }
  if (v === null) return null;
  if (depth > 64) return { path: '', what: 'is nested more than 64 levels deep (or cyclic)' };
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const r = problemOf(v[i], depth + 1);
      if (r) {
        r.path = `[${i}]${r.path}`;
        return r;
      }
    }
    return null;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto === Object.prototype || proto === null) {
    for (const k in v as Record<string, unknown>) {
      const r = problemOf((v as Record<string, unknown>)[k], depth + 1);
      if (r) {
        r.path = `.${k}${r.path}`;
        return r;
      }
    }
    return null;
  }
  if (v instanceof Date || v instanceof Uint8Array) return null;
  if (v instanceof Set) {
    for (const x of v) {
      const r = problemOf(x, depth + 1);
      if (r) {
        r.path = `{}${r.path}`;
        return r;
      }
    }
    return null;
  }
  if (v instanceof Map) return { path: '', what: 'is a Map (it would arrive as a plain object; use an object or entries array)' };
  const name = (proto?.constructor?.name as string | undefined) ?? 'unknown';
  return { path: '', what: `is an instance of ${name} (only plain objects, arrays, Date, Set, Uint8Array and primitives are carried)` };
}
