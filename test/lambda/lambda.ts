/**
 * Helpers of the Lambda Architecture tests: the shipped log split into two halves, the real
 * CLI for `topo run` / `topo batch` / `topo query` against one redis-server and one master
 * dataset, and fingerprints of the master dataset's rolled files (content hash, mtime, mode).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { lastJson, PAGEVIEWS, ROOT, SHIPPED_LOG, topoIn, type QueryJson, type RunSummaryJson } from '../pageviews-e2e/harness.js';
import { dedupe, refEvents, type RefEvent } from '../pageviews-e2e/reference.js';

export { PAGEVIEWS, SHIPPED_LOG };
export const lambdaFixture = (name: string): string => join(ROOT, 'test', 'lambda', 'fixtures', name);

export interface Halves {
  readonly first: string;
  readonly second: string;
  /** Reference events of each half (line numbers of the whole log), duplicates kept. */
  readonly firstEvents: RefEvent[];
  readonly secondEvents: RefEvent[];
  readonly all: RefEvent[];
}

/**
 * The log cut in two by line order near its middle, at a line where no duplicate (same
 * visitor, URL, ts) has one copy in each half: each half's run removes its own duplicates.
 */
export function splitLog(dir: string): Halves {
  const text = readFileSync(SHIPPED_LOG, 'utf8');
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const { events } = refEvents(text);
  const kept = new Set(dedupe(events).map((e) => e.line));
  const firstLineOf = new Map<string, number>();
  const straddle: Array<[number, number]> = [];
  for (const e of events) {
    const k = JSON.stringify([e.visitor, e.url, e.ts]);
    const f = firstLineOf.get(k);
    if (f === undefined) firstLineOf.set(k, e.line);
    else if (!kept.has(e.line)) straddle.push([f, e.line]);
  }
  // Cut before line `cut`: lines 1..cut-1 are the first half.
  let cut = Math.floor(lines.length / 2) + 1;
  while (straddle.some(([a, b]) => a < cut && b >= cut)) cut++;
  const first = join(dir, 'first.log');
  const second = join(dir, 'second.log');
  writeFileSync(first, `${lines.slice(0, cut - 1).join('\n')}\n`);
  writeFileSync(second, `${lines.slice(cut - 1).join('\n')}\n`);
  return { first, second, firstEvents: events.filter((e) => e.line < cut), secondEvents: events.filter((e) => e.line >= cut), all: events };
}

/** One Redis, one master dataset, one scratch directory: the CLI commands of a Lambda test. */
export class Lambda {
  constructor(readonly redisUrl: string, readonly master: string, readonly dir: string) {}

  /** `topo run` of a pageviews-like topology on one input, writing both layers. */
  async run(input: string, topology = PAGEVIEWS): Promise<RunSummaryJson> {
    const r = await topoIn(['run', topology, '--redis', this.redisUrl, '--json', '--metrics-interval', '60s',
      '-c', `input=${input}`, '-c', `master=${this.master}`, '-c', `rejects=${join(this.dir, 'rejects.jsonl')}`], { timeoutMs: 90_000 });
    expect(r.code, r.stderr).toBe(0);
    const s = lastJson<RunSummaryJson>(r);
    expect(s.status).toBe('completed');
    return s;
  }

  async batch(topology = PAGEVIEWS): Promise<BatchJson> {
    const r = await topoIn(['batch', topology, '--master', this.master, '--redis', this.redisUrl, '--threads', '2', '--json', '-q'], { timeoutMs: 90_000 });
    expect(r.code, r.stderr).toBe(0);
    return lastJson<BatchJson>(r);
  }

  async query<V = number>(view: string, key: string, from: string, to: string, topology = PAGEVIEWS): Promise<QueryJson<V> & { watermark: string | null }> {
    const r = await topoIn(['query', view, key, '--topology', topology, '--from', from, '--to', to, '--json', '--redis', this.redisUrl]);
    expect(r.code, `${view} ${key}: ${r.stderr}`).toBe(0);
    return lastJson<QueryJson<V> & { watermark: string | null }>(r);
  }

  async compact(): Promise<void> {
    const r = await topoIn(['compact', '--all', '--master', this.master, '--json']);
    expect(r.code, r.stderr).toBe(0);
  }
}

export interface BatchJson {
  records: number;
  events: number;
  duplicates: number;
  badLines: number;
  latestEvent: string | null;
  views: { view: string; batchId: number; watermark: string; keys: number }[];
}

export interface Fingerprint {
  readonly sha256: string;
  readonly mtimeMs: number;
  readonly mode: number;
  readonly size: number;
}

/** Every rolled part file of the master dataset (hidden temp files excluded), by path. */
export function fingerprints(master: string): Map<string, Fingerprint> {
  const out = new Map<string, Fingerprint>();
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/^part-.*\.jsonl(\.gz)?$/.test(e.name)) {
        const st = statSync(p);
        out.set(p, { sha256: createHash('sha256').update(readFileSync(p)).digest('hex'), mtimeMs: st.mtimeMs, mode: st.mode & 0o777, size: st.size });
      }
    }
  };
  walk(master);
  return out;
}

/** Files of `before` that changed in `after` (a removed file is not a change: compaction removes inputs). */
export function changed(before: ReadonlyMap<string, Fingerprint>, after: ReadonlyMap<string, Fingerprint>): string[] {
  const out: string[] = [];
  for (const [p, f] of before) {
    const g = after.get(p);
    if (g !== undefined && JSON.stringify(g) !== JSON.stringify(f)) out.push(`${p}: ${JSON.stringify(f)} -> ${JSON.stringify(g)}`);
  }
  return out;
}
