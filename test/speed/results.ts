// Truth for the speed fixture (computed from event numbers, not by the writer) and readers
// of what the run left in the store and in outDir.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bucketOf, HOUR_MS } from '../../src/views/view.js';
import type { ViewStore } from '../../src/speed/store.js';
import { eventOf, isLate, KEYS, VIEWS } from '../fixtures/speed/event-views.js';

export const fixture = (name: string): string => new URL(`../fixtures/speed/${name}`, import.meta.url).pathname;
export const freshDir = (tag: string): string => mkdtempSync(join(tmpdir(), `topo-${tag}-`));
/** A base a few hours back, so buckets are live (their TTL lies ahead). */
export const recentBase = (): number => Math.floor(Date.now() / HOUR_MS) * HOUR_MS - 6 * HOUR_MS;

export interface Truth {
  /** `key@bucket` -> events. */
  readonly counts: Map<string, number>;
  /** `key@bucket` -> distinct visitors. */
  readonly uniques: Map<string, number>;
  readonly late: number;
  readonly buckets: number[];
}

export function truth(n: number, base: number): Truth {
  const counts = new Map<string, number>();
  const visitors = new Map<string, Set<string>>();
  const buckets = new Set<number>();
  let late = 0;
  for (let i = 0; i < n; i++) {
    const e = eventOf(i, n, base);
    const b = bucketOf(VIEWS[0]!, e.t);
    buckets.add(b);
    const id = `${e.key}@${b}`;
    counts.set(id, (counts.get(id) ?? 0) + 1);
    if (!visitors.has(id)) visitors.set(id, new Set());
    visitors.get(id)!.add(e.visitor);
    if (isLate(i, n)) late++;
  }
  return { counts, uniques: new Map([...visitors].map(([k, s]) => [k, s.size])), late, buckets: [...buckets].sort() };
}

/** `key@bucket` -> value of a count view, for every key and bucket the truth knows. */
export async function readCounts(store: ViewStore, view: 'hits' | 'once' | 'uniq', t: Truth): Promise<Map<string, number>> {
  const v = VIEWS.find((x) => x.name === view)!;
  const out = new Map<string, number>();
  for (let k = 0; k < KEYS; k++) {
    const r = await store.values(v, `k${k}`, t.buckets);
    for (const { bucket, value } of r.buckets) if ((value as number) > 0) out.set(`k${k}@${bucket}`, value as number);
  }
  return out;
}

export const sum = (m: ReadonlyMap<string, number>): number => [...m.values()].reduce((a, b) => a + b, 0);

/** Every id the spout got an ack for (with repeats). */
export function ackedIds(dir: string): number[] {
  const out: number[] = [];
  for (const f of readdirSync(dir).filter((x) => x.startsWith('acked-'))) out.push(...(JSON.parse(readFileSync(join(dir, f), 'utf8')) as number[]));
  return out;
}
