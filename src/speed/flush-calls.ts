/**
 * How an encoded flush (apply-script.ts) becomes script calls.
 *
 * One Redis: ONE call holding every record. The flush is applied entirely or not at all.
 *
 * A Redis Cluster: a script may only touch keys of one slot (else CROSSSLOT), so
 *   phase 1: one call per slot of the value records, all in parallel: count and sum
 *            records in the view's slot (`{<view>}`, their cells are its top ZSETs), the
 *            others per slot of their value keys (`{<view>:<key>}`), each returning its
 *            cells' scores after the write;
 *   phase 2: one call per view (`{<view>}`: its top ZSETs, keys index, late counter) setting
 *            those top scores with ZADD GT, all in parallel.
 * Each call's success is recorded in a FlushProgress the writer keeps across retries of the
 * same flush, so a retry sends only the calls that failed: a slot that applied is never
 * applied again, for at-least-once views too. A call whose reply was lost after Redis ran it
 * (timeout, connection reset) is sent again: its exactly-once events are skipped by their ids,
 * its at-least-once increments apply twice (the at-least-once promise), and its top scores and
 * index entries are set again to the same values (idempotent).
 */
import { Packr } from 'msgpackr';
import { topRecord, type EncodedFlush, type ValueRecord } from './apply-script.js';
import type { StoreView } from './store.js';

export interface ScriptCall {
  /** Stable across retries of the same flush: `s<slot>` or `v<view>` (or `all` on one Redis). */
  readonly id: string;
  /** Declared keys (a cluster call's, all in its slot); empty on one Redis. */
  readonly keys: readonly string[];
  readonly records: readonly unknown[];
}

/** The script's reply: `{skipped, score...}`. */
export type ScriptReply = [number, ...Array<string | number>];

/** What a writer keeps across retries of one flush: the calls that already succeeded, with their replies. */
export class FlushProgress {
  readonly done = new Map<string, ScriptReply>();
}

/** Plain msgpack (no record extension): Redis's cmsgpack decodes it. */
const packr = new Packr({ useRecords: false });

/** A call's records as the script's one argument. */
export function packRecords(records: readonly unknown[]): Buffer {
  return packr.pack(records);
}

/** One Redis: the whole flush in one call. */
export function singleCall(enc: EncodedFlush): ScriptCall | null {
  const records: unknown[] = [];
  for (const r of enc.records) records.push(r.data);
  for (const v of enc.views.values()) for (const d of v.data) records.push(d);
  return records.length === 0 ? null : { id: 'all', keys: [], records };
}

/** Cluster phase 1: the value records grouped by slot, each call with its mode-2 records in reply order. */
export function slotCalls(enc: EncodedFlush): Array<ScriptCall & { scored: ValueRecord[] }> {
  const bySlot = new Map<number, { keys: Set<string>; records: unknown[]; scored: ValueRecord[] }>();
  for (const r of enc.records) {
    let g = bySlot.get(r.slot);
    if (g === undefined) bySlot.set(r.slot, (g = { keys: new Set(), records: [], scored: [] }));
    for (const k of r.keys) g.keys.add(k);
    g.records.push(r.data);
    if (r.scored !== null) g.scored.push(r);
  }
  return [...bySlot].map(([slot, g]) => ({ id: `s${slot}`, keys: [...g.keys], records: g.records, scored: g.scored }));
}

/**
 * Cluster phase 2: per view, the top scores phase 1 returned (`scores`: a mode-2 record's
 * cells' scores in order), then its late and trim records.
 */
export function viewCalls(enc: EncodedFlush, namespace: string, scores: ReadonlyMap<ValueRecord, ReadonlyArray<string | number>>): ScriptCall[] {
  const byView = new Map<string, { view: StoreView; keys: Set<string>; records: unknown[] }>();
  const of = (view: StoreView): { keys: Set<string>; records: unknown[] } => {
    let g = byView.get(view.name);
    if (g === undefined) byView.set(view.name, (g = { view, keys: new Set(), records: [] }));
    return g;
  };
  for (const r of enc.records) {
    if (r.scored === null) continue;
    const got = scores.get(r) ?? [];
    const pairs: unknown[] = [];
    r.scored.forEach((key, i) => {
      const s = got[i];
      if (s !== undefined && s !== '') pairs.push(String(s), key);
    });
    if (pairs.length === 0) continue;
    const t = topRecord(r.view, namespace, r.data[5] as string, r.data[2] as string, pairs);
    const g = of(r.view);
    g.keys.add(t[3] as string).add(t[4] as string);
    g.records.push(t);
  }
  for (const v of enc.views.values()) {
    const g = of(v.view);
    for (const k of v.keys) g.keys.add(k);
    for (const d of v.data) g.records.push(d);
  }
  return [...byView].filter(([, g]) => g.records.length > 0).map(([name, g]) => ({ id: `v${name}`, keys: [...g.keys], records: g.records }));
}
