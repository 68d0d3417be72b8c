/**
 * The KeyValueState one bolt task sees: a Map plus the two records a checkpoint needs,
 * the keys changed since the last snapshot (only those are written, so a checkpoint costs
 * what changed, not what is held) and, while one input executes, the prior value of each
 * key it touches, so a throw can undo exactly that input's changes before it is failed and
 * replayed (else the replay would apply them a second time).
 */
import type { KeyValueState, StateValue } from '../api/stateful.js';
import { badKey, unserialisable } from './serialisable.js';

/**
 * A key's value before the executing input first touched it: absent, or the value itself.
 * A reference, not a JSON copy: every change replaces the stored value (put, increment, and
 * putField/deleteField build a fresh object), so the prior one is never changed by the state;
 * a copy at touch time could not protect a value the caller mutated in place before put()
 * anyway (it would copy the mutated one), and it cost a JSON.stringify per input and key
 * (the pageviews visitor bolt's largest self time after GC).
 */
type Prior = { readonly had: false } | { readonly had: true; readonly value: StateValue };

/** The changed keys of one snapshot: what to write (flat: key, JSON, key, JSON...), and keys to remove. */
export interface Snapshot {
  readonly puts: string[];
  readonly deletes: string[];
  readonly keys: readonly string[];
}

export class TaskState implements KeyValueState {
  private readonly map = new Map<string, StateValue>();
  private dirty = new Set<string>();
  /** Set while a recognised replay runs: the state must not change then. */
  frozen: string | null = null;
  /** Reused across inputs: cleared at each begin() rather than allocated per tuple. */
  private readonly undo = new Map<string, Prior>();

  /** `owner` names the component in errors ("bolt 'count'"). */
  constructor(private readonly owner: string) {}

  /** Fill from a checkpoint (before the first input; nothing is dirty). */
  load(entries: Iterable<readonly [string, string]>): void {
    for (const [k, json] of entries) this.map.set(k, JSON.parse(json) as StateValue);
  }

  get size(): number {
    return this.map.size;
  }

  get changed(): number {
    return this.dirty.size;
  }

  get<T extends StateValue = StateValue>(key: string, defaultValue?: T): T | undefined {
    const v = this.map.get(key);
    return v === undefined ? defaultValue : (v as T);
  }

  has(key: string): boolean {
    return this.map.has(key);
  }

  keys(): IterableIterator<string> {
    return this.map.keys();
  }

  put(key: string, value: StateValue): void {
    this.checkKey(key, 'put');
    const p = unserialisable(value);
    if (p !== null) throw new Error(`${this.owner}: state put('${key}'): ${p}`);
    this.touch(key);
    this.map.set(key, value);
  }

  delete(key: string): boolean {
    this.checkKey(key, 'delete');
    if (!this.map.has(key)) return false;
    this.touch(key);
    this.map.delete(key);
    return true;
  }

  increment(key: string, by = 1): number {
    this.checkKey(key, 'increment');
    if (typeof by !== 'number' || !Number.isFinite(by)) throw new Error(`${this.owner}: state increment('${key}'): by must be a finite number, got ${String(by)}`);
    const v = this.map.get(key) ?? 0;
    if (typeof v !== 'number') throw new Error(`${this.owner}: state increment('${key}'): the key holds ${Array.isArray(v) ? 'an array' : typeof v}, not a number`);
    const n = v + by;
    if (!Number.isFinite(n)) throw new Error(`${this.owner}: state increment('${key}'): the count overflowed to ${n}`);
    this.touch(key);
    this.map.set(key, n);
    return n;
  }

  getField<T extends StateValue = StateValue>(key: string, field: string): T | undefined {
    const o = this.map.get(key);
    return isMap(o) ? (o[field] as T | undefined) : undefined;
  }

  putField(key: string, field: string, value: StateValue): void {
    this.checkKey(key, 'putField');
    const p = unserialisable(value);
    if (p !== null) throw new Error(`${this.owner}: state putField('${key}', '${field}'): ${p}`);
    const o = this.map.get(key);
    if (o !== undefined && !isMap(o)) throw new Error(`${this.owner}: state putField('${key}'): the key holds ${Array.isArray(o) ? 'an array' : typeof o}, not a map`);
    this.touch(key);
    // A fresh object per change: the prior one may be the undo record's or a caller's reference.
    this.map.set(key, { ...(o ?? {}), [field]: value });
  }

  deleteField(key: string, field: string): boolean {
    this.checkKey(key, 'deleteField');
    const o = this.map.get(key);
    if (!isMap(o) || !Object.hasOwn(o, field)) return false;
    this.touch(key);
    const { [field]: _gone, ...rest } = o;
    if (Object.keys(rest).length === 0) this.map.delete(key);
    else this.map.set(key, rest);
    return true;
  }

  // ---- one input's changes ----

  /** Start recording prior values for the input about to execute. */
  begin(): void {
    if (this.undo.size > 0) this.undo.clear();
  }

  /** The input failed: put back every key it touched. */
  rollback(): void {
    for (const [k, prior] of this.undo) {
      if (prior.had) this.map.set(k, prior.value);
      else this.map.delete(k);
    }
    // Its keys stay dirty: writing their restored values is harmless, and they may have been dirty before.
    this.undo.clear();
  }

  // ---- checkpoints ----

  /** The changed keys as of now, serialised now (later changes belong to the next snapshot). */
  snapshot(): Snapshot {
    // Flat, as the commit script takes it: no pair per key to allocate and flatten again.
    const puts: string[] = [];
    const deletes: string[] = [];
    const keys = [...this.dirty];
    for (const k of keys) {
      const v = this.map.get(k);
      if (v === undefined) deletes.push(k);
      else puts.push(k, typeof v === 'number' ? String(v) : JSON.stringify(v));
    }
    this.dirty = new Set();
    return { puts, deletes, keys };
  }

  /** A snapshot that did not commit: its keys are written by the next one, with their values then. */
  unsnapshot(s: Snapshot): void {
    for (const k of s.keys) this.dirty.add(k);
  }

  private touch(key: string): void {
    if (this.frozen !== null) throw new Error(`${this.owner}: state changed ('${key}') ${this.frozen}`);
    this.dirty.add(key);
    if (this.undo.has(key)) return;
    const v = this.map.get(key);
    this.undo.set(key, v === undefined ? { had: false } : { had: true, value: v });
  }

  private checkKey(key: unknown, op: string): void {
    const p = badKey(key);
    if (p !== null) throw new Error(`${this.owner}: state ${op}(): ${p}`);
  }
}

function isMap(v: unknown): v is { [field: string]: StateValue } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
