// Reads what the reliable fixtures (test/fixtures/runtime/reliable-parts.ts) wrote to outDir.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const fixture = (name: string): string => new URL(`../fixtures/runtime/${name}`, import.meta.url).pathname;

export const freshDir = (tag: string): string => mkdtempSync(join(tmpdir(), `topo-${tag}-`));

/** id -> number of acks the spout got for it, over every spout task. */
export function spoutAcks(dir: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const f of readdirSync(dir).filter((n) => n.startsWith('spout-'))) {
    for (const [id, n] of JSON.parse(readFileSync(join(dir, f), 'utf8')) as Array<[number, number]>) out.set(id, (out.get(id) ?? 0) + n);
  }
  return out;
}

/** Distinct ids over every sink task, and how many tuples the sinks executed. */
export function sinkIds(dir: string): { distinct: Set<number>; executed: number } {
  const distinct = new Set<number>();
  let executed = 0;
  for (const f of readdirSync(dir).filter((n) => n.startsWith('sink-'))) {
    const r = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { distinct: number[]; executed: number };
    for (const id of r.distinct) distinct.add(id);
    executed += r.executed;
  }
  return { distinct, executed };
}
