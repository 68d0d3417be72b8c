/**
 * A small master dataset written directly in layout.ts's format (JSON Lines part files under
 * date partitions), independent of the dataset writer, and the expected views computed the
 * plain way: loops over the records, a Set for duplicates, a sort for visits.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PageviewRecord as MasterRecord } from '../../topologies/pageviews/dataset.js';

export const HOUR = 3_600_000;
/** 2015-05-17T22:00Z: fixtures cross midnight into 2015-05-18. */
export const T0 = Date.UTC(2015, 4, 17, 22);
export const HOST = 'semicomplete.com';

let seq = 0;
export function rec(ip: string, path: string, ts: number, user: string | null = null): MasterRecord {
  return { id: `fixture:${++seq}`, url: `http://${HOST}${path}`, host: HOST, path, ip, user, ts, method: 'GET', status: 200, bytes: 10, referrer: null, userAgent: null };
}

export function tempRoot(): string {
  return mkdtempSync(join(tmpdir(), 'topo-master-'));
}

/** Write records as part files, `perFile` records each, in their UTC date partitions (gzip every other file). */
export function writeDataset(root: string, records: readonly MasterRecord[], perFile = 7, tag = 'a'): string[] {
  const byDate = new Map<string, MasterRecord[]>();
  for (const r of records) {
    const d = new Date(r.ts).toISOString().slice(0, 10);
    byDate.set(d, [...(byDate.get(d) ?? []), r]);
  }
  const paths: string[] = [];
  let n = 0;
  for (const [date, list] of byDate) {
    const dir = join(root, 'pageviews', `date=${date}`);
    mkdirSync(dir, { recursive: true });
    for (let i = 0; i < list.length; i += perFile) {
      const text = list.slice(i, i + perFile).map((r) => JSON.stringify(r)).join('\n') + '\n';
      const gz = n % 2 === 1;
      const path = join(dir, `part-${tag}${String(n++).padStart(4, '0')}.jsonl${gz ? '.gz' : ''}`);
      writeFileSync(path, gz ? gzipSync(text) : text);
      paths.push(path);
    }
  }
  return paths;
}

export interface Expected {
  pageviews: Map<string, number>;
  uniques: Map<string, Set<string>>;
  bounces: Map<string, { visits: number; bounces: number }>;
  maxTs: number;
}

const cell = (key: string, bucket: number): string => `${key} ${bucket}`;

/** The views computed directly from the records (URLs in fixtures are already normal). */
export function expected(records: readonly MasterRecord[]): Expected {
  const seen = new Set<string>();
  const unique: MasterRecord[] = [];
  for (const r of records) {
    const visitor = r.user ?? r.ip;
    const k = `${visitor}|${r.url}|${r.ts}`;
    if (!seen.has(k)) {
      seen.add(k);
      unique.push(r);
    }
  }
  const e: Expected = { pageviews: new Map(), uniques: new Map(), bounces: new Map(), maxTs: Math.max(...records.map((r) => r.ts)) };
  for (const r of unique) {
    const c = cell(r.url, Math.floor(r.ts / HOUR) * HOUR);
    e.pageviews.set(c, (e.pageviews.get(c) ?? 0) + 1);
    e.uniques.set(c, (e.uniques.get(c) ?? new Set()).add(r.user ?? r.ip));
  }
  // Visits: per visitor (one domain here), a gap of 30 minutes or more starts a new one.
  const byVisitor = new Map<string, number[]>();
  for (const r of unique) byVisitor.set(r.user ?? r.ip, [...(byVisitor.get(r.user ?? r.ip) ?? []), r.ts]);
  for (const times of byVisitor.values()) {
    times.sort((a, b) => a - b);
    let start = 0;
    for (let i = 1; i <= times.length; i++) {
      if (i < times.length && times[i]! - times[i - 1]! < 30 * 60_000) continue;
      const c = cell(HOST, Math.floor(times[start]! / HOUR) * HOUR);
      const b = e.bounces.get(c) ?? { visits: 0, bounces: 0 };
      b.visits++;
      if (i - start === 1) b.bounces++;
      e.bounces.set(c, b);
      start = i;
    }
  }
  return e;
}

/** A deterministic pseudo-random fixture: visitors, pages, times over `hours` from T0, with duplicates. */
export function randomRecords(n: number, hours: number, seed = 1): MasterRecord[] {
  let s = seed;
  const rnd = (): number => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const out: MasterRecord[] = [];
  for (let i = 0; i < n; i++) {
    const ip = `10.0.0.${Math.floor(rnd() * 25)}`;
    const path = `/p${Math.floor(rnd() * 6)}`;
    const ts = T0 + Math.floor(rnd() * hours * HOUR);
    out.push(rec(ip, path, ts, rnd() < 0.1 ? `user${Math.floor(rnd() * 3)}` : null));
    // Every 10th event arrives twice (a replay): the duplicate may land in another file.
    if (i % 10 === 0) out.push(rec(ip, path, ts, out[out.length - 1]!.user));
  }
  // Shuffled, so a duplicate usually lands in another part file than its twin.
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
