/**
 * Emit-time check that a value survives the trip between threads (msgpackr) unchanged.
 * It runs on every emit, so primitives take a single typeof; only objects are walked.
 * Checking at emit (not at encode) lets the error name the component, stream and field,
 * and keeps one-thread runs honest about what multi-thread runs could carry.
 */

/** Returns null when carriable, else a description of the first problem (with its path). */
export function whyNotCarriable(v: unknown, path = '', depth = 0): string | null {
  switch (typeof v) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'undefined':
      return null;
    case 'function':
      return `${where(path)}is a function`;
    case 'symbol':
      return `${where(path)}is a symbol`;
    case 'bigint':
      return `${where(path)}is a bigint (not carried exactly; convert it to a string or number)`;
  }
  if (v === null) return null;
  if (depth > 64) return `${where(path)}is nested more than 64 levels deep (or cyclic)`;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const r = whyNotCarriable(v[i], `${path}[${i}]`, depth + 1);
      if (r) return r;
    }
    return null;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto === Object.prototype || proto === null) {
    for (const k in v as Record<string, unknown>) {
      const r = whyNotCarriable((v as Record<string, unknown>)[k], `${path}.${k}`, depth + 1);
      if (r) return r;
    }
    return null;
  }
  if (v instanceof Date || v instanceof Uint8Array) return null;
  if (v instanceof Set) {
    for (const x of v) {
      const r = whyNotCarriable(x, `${path}{}`, depth + 1);
      if (r) return r;
    }
    return null;
  }
  if (v instanceof Map) return `${where(path)}is a Map (it would arrive as a plain object; use an object or entries array)`;
  const name = (proto?.constructor?.name as string | undefined) ?? 'unknown';
  return `${where(path)}is an instance of ${name} (only plain objects, arrays, Date, Set, Uint8Array and primitives are carried)`;
}

function where(path: string): string {
  return path ? `value at ${path} ` : 'value ';
}
