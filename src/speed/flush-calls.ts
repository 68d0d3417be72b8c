/**
 * How an encoded flush (apply-script.ts) becomes script calls.
 *
 * One Redis: ONE call. Every value record, then every cell's top record taking its score
 * from the value record in the same script (`#i`), then the views' late and trim records.
 * The flush is applied entirely or not at all, as before clusters existed.
 *
 * A Redis Cluster: a script may only touch keys of one slot (else CROSSSLOT), so
 *   phase 1: one call per slot of the value keys (`{<view>:<key>}`), all in parallel; each
 *            returns its cells' values after the write;
 *   phase 2: one call per view (`{<view>}`: its top ZSETs, keys index, late counter) setting
 *            the top scores from phase 1 with ZADD GT, all in parallel.
 * Each call's success is recorded in a FlushProgress the writer keeps across retries of the
 * same flush, so a retry sends only the calls that failed: a slot that applied is never
 * applied again, for at-least-once views too. A call whose reply was lost after Redis ran it
 * (timeout, connection reset) is sent again: its exactly-once events are skipped by their ids,
 * its at-least-once increments apply twice (the at-least-once promise), and its top scores and
 * index entries are set again to the same values (idempotent).
 */
import { keySlot } from './slot.js';
import { topRecord, type CellRecord, type EncodedFlush } from './apply-script.js';

export interface ScriptCall {
  /** Stable across retries of the same flush: `s<slot>` or `v<view>` (or `all` on one Redis). */
  readonly id: string;
  readonly keys: string[];
  readonly argv: string[];
}

/** The script's reply: `{skipped, score...}`. */
export type ScriptReply = [number, ...string[]];

/** What a writer keeps across retries of one flush: the calls that already succeeded, with their replies. */
export class FlushProgress {
  readonly done = new Map<string, ScriptReply>();
}

/** One Redis: the whole flush in one call (built with loops: this runs per flush on the writer's hot path). */
export function singleCall(enc: EncodedFlush): ScriptCall | null {
  const keys: string[] = [];
  const argv: string[] = [];
  for (const c of enc.cells) {
    for (const k of c.keys) keys.push(k);
    for (const a of c.argv) argv.push(a);
  }
  let i = 0;
  for (const c of enc.cells) {
    keys.push(c.topKey, c.keysKey);
    argv.push('t', '=', String(c.expireAt), c.key, String(c.bucket), `#${++i}`);
  }
  for (const r of enc.views.values()) {
    for (const k of r.keys) keys.push(k);
    for (const a of r.argv) argv.push(a);
  }
  return argv.length === 0 ? null : { id: 'all', keys, argv };
}

/** Cluster phase 1: the value records grouped by slot, each call with its cells in reply order. */
export function slotCalls(enc: EncodedFlush): Array<ScriptCall & { cells: CellRecord[] }> {
  const bySlot = new Map<number, { keys: string[]; argv: string[]; cells: CellRecord[] }>();
  for (const c of enc.cells) {
    const slot = keySlot(c.valueKey);
    let g = bySlot.get(slot);
    if (g === undefined) bySlot.set(slot, (g = { keys: [], argv: [], cells: [] }));
    g.keys.push(...c.keys);
    g.argv.push(...c.argv);
    g.cells.push(c);
  }
  return [...bySlot].map(([slot, g]) => ({ id: `s${slot}`, ...g }));
}

/** Cluster phase 2: per view, its cells' top records with the scores phase 1 returned, then its late and trim records. */
export function viewCalls(enc: EncodedFlush, scores: ReadonlyMap<CellRecord, string>): ScriptCall[] {
  const byView = new Map<string, { keys: string[]; argv: string[] }>();
  const of = (name: string): { keys: string[]; argv: string[] } => {
    let g = byView.get(name);
    if (g === undefined) byView.set(name, (g = { keys: [], argv: [] }));
    return g;
  };
  for (const c of enc.cells) {
    const score = scores.get(c);
    if (score === undefined || score === '') continue;
    const t = topRecord(c, '>', score);
    const g = of(c.view.name);
    g.keys.push(...t.keys);
    g.argv.push(...t.argv);
  }
  for (const [name, r] of enc.views) {
    const g = of(name);
    g.keys.push(...r.keys);
    g.argv.push(...r.argv);
  }
  return [...byView].map(([name, g]) => ({ id: `v${name}`, ...g }));
}
