/**
 * What a checkpoint can hold. State is written as JSON, so a value is accepted only if JSON
 * gives it back unchanged; anything else would come back different after a restart (a Map
 * as `{}`, a Date as a string, NaN as null) and is refused at the put that stores it, with
 * the path inside the value that is at fault, so the error points at the user's mistake.
 */

/** Why `value` cannot be stored, or null when it can. */
export function unserialisable(value: unknown): string | null {
  // Runs at every put: a pass that allocates nothing answers for good values; only a value
  // it doubts gets the walk that builds the path for the message.
  return storable(value, 0) ? null : check(value, '', new Set());
}

/** Whether `v` round-trips through JSON, without building paths; nested past 200 levels (or a cycle): not sure. */
function storable(v: unknown, depth: number): boolean {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(v);
    case 'object':
      break;
    default:
      return false;
  }
  if (v === null) return true;
  if (depth > 200) return false;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (!storable(v[i], depth + 1)) return false;
    return true;
  }
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto !== Object.prototype && proto !== null) return false;
  for (const k in v) if (Object.hasOwn(v, k) && !storable((v as Record<string, unknown>)[k], depth + 1)) return false;
  return true;
}

function check(v: unknown, path: string, seen: Set<object>): string | null {
  const at = path === '' ? '' : ` at ${path}`;
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return null;
    case 'number':
      return Number.isFinite(v) ? null : `${String(v)}${at} is not a finite number (JSON would store null)`;
    case 'undefined':
      return `undefined${at} cannot be stored (use delete to remove a key)`;
    case 'bigint':
      return `a bigint${at} cannot be stored as JSON (store it as a string)`;
    case 'function':
      return `a function${at} cannot be stored`;
    case 'symbol':
      return `a symbol${at} cannot be stored`;
  }
  if (v === null) return null;
  const o = v as object;
  if (seen.has(o)) return `a cycle${at} cannot be stored`;
  if (Array.isArray(o)) {
    seen.add(o);
    for (let i = 0; i < o.length; i++) {
      const p = check(o[i], `${path}[${i}]`, seen);
      if (p !== null) return p;
    }
    seen.delete(o);
    return null;
  }
  const proto = Object.getPrototypeOf(o) as unknown;
  if (proto !== Object.prototype && proto !== null) {
    const name = (o as { constructor?: { name?: string } }).constructor?.name ?? 'an object';
    return `a ${name}${at} cannot be stored as JSON (only plain objects, arrays and primitives)`;
  }
  seen.add(o);
  for (const k of Object.keys(o)) {
    const p = check((o as Record<string, unknown>)[k], path === '' ? k : `${path}.${k}`, seen);
    if (p !== null) return p;
  }
  seen.delete(o);
  return null;
}

/** Why `key` cannot be a state key, or null. */
export function badKey(key: unknown): string | null {
  if (typeof key !== 'string') {
    const shown = typeof key === 'object' ? (key === null ? 'null' : Array.isArray(key) ? 'an array' : 'an object') : `${typeof key} ${String(key)}`;
    return `state keys must be strings, got ${shown}`;
  }
  return null;
}
