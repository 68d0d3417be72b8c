// PartWriter: date partitions across midnight UTC, rolled parts read-only and never touched
// again, and the writer's own rolls by size, age and close.
import { readdirSync, statSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { PartWriter } from '../../src/batch/master/part-writer.js';
import { PART_FILE } from '../../src/batch/master/layout.js';
import { ingest } from '../../src/batch/master/ingest.js';
import { duplicates, fileStates, fixture, readDataset, rec, tempRoot } from './helpers.js';
import { pageviewsDataset } from '../../topologies/pageviews/dataset.js';
import { apacheFormat, jsonlFormat } from '../../topologies/pageviews/formats.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((f) => f()));
function root(tag: string): string {
  const t = tempRoot(tag);
  cleanups.push(t.remove);
  return t.dir;
}

describe('PartWriter', () => {
  it('puts each record in the partition of its UTC date, across midnight', () => {
    const dir = root('dates');
    const w = new PartWriter({ root: dir, dataset: pageviewsDataset });
    const midnight = Date.UTC(2024, 1, 29, 0, 0, 0); // leap day
    w.append(rec('before', midnight - 1));
    w.append(rec('at', midnight));
    w.append(rec('after', midnight + 86_400_000 - 1));
    w.append(rec('next', midnight + 86_400_000));
    w.close();
    const ids = (d: string): string[] => (readDataset(dir).byDate.get(d) ?? []).map((r) => r.id).sort();
    expect(ids('2024-02-28')).toEqual(['before']);
    expect(ids('2024-02-29')).toEqual(['after', 'at']);
    expect(ids('2024-03-01')).toEqual(['next']);
  });

  it('partitions log lines and JSON Lines with UTC offsets by their UTC date', async () => {
    const dir = root('offsets');
    const common = { rejectsPath: `${dir}/rejects.jsonl`, writer: { root: dir } };
    await ingest({ input: fixture('midnight.log'), format: apacheFormat, dataset: pageviewsDataset, ...common });
    await ingest({ input: fixture('midnight.jsonl'), format: jsonlFormat, dataset: pageviewsDataset, ...common });
    const byDate = readDataset(dir).byDate;
    const paths = (d: string): string[] => (byDate.get(d) ?? []).map((r) => r.path).sort();
    // 23:59:59Z; 22:30 -0200 = 00:30Z next day; 01:00 +0200 = 23:00Z previous day; 00:59:59 +0100 = 23:59:59Z.
    expect(paths('2015-12-31')).toEqual(['/a', '/d', '/e']);
    expect(paths('2016-01-01')).toEqual(['/b', '/c']);
    // 23:30 -01:00 = 00:30Z on 1 March; epoch 1583020799999 = 2020-02-29T23:59:59.999Z; 00:30 +02:00 = 22:30Z on 29 Feb.
    expect(paths('2020-02-29')).toEqual(['/y', '/z']);
    expect(paths('2020-03-01')).toEqual(['/x?q=1']);
  });

  it('rolls by size into read-only parts and never rewrites them on later writes or ingests', async () => {
    const dir = root('immutable');
    const t0 = Date.UTC(2015, 4, 17, 12);
    const w = new PartWriter({ root: dir, dataset: pageviewsDataset, maxBytes: 4096, bufferBytes: 512 });
    for (let i = 0; i < 200; i++) w.append(rec(`a${i}`, t0 + i * 1000));
    w.close();
    const first = readDataset(dir).parts;
    expect(first.length).toBeGreaterThan(5);
    const before = fileStates(first);
    for (const s of before.values()) expect(s.mode).toBe(0o444);
    await new Promise((r) => setTimeout(r, 20)); // so that a rewrite would show in mtime
    // More writes into the same partition, and an ingest of the shipped log's date range.
    const w2 = new PartWriter({ root: dir, dataset: pageviewsDataset, maxBytes: 4096 });
    for (let i = 0; i < 200; i++) w2.append(rec(`b${i}`, t0 + i * 1000));
    w2.close();
    await ingest({ input: fixture('../../../topologies/data/apache_logs.log'), format: apacheFormat, dataset: pageviewsDataset, rejectsPath: `${dir}/r.jsonl`, writer: { root: dir } });
    const after = fileStates(first);
    expect(after).toEqual(before);
    const view = readDataset(dir);
    expect(view.all.length).toBe(400 + 10_000);
    expect(duplicates(view.all)).toEqual([]);
    expect(view.temps).toEqual([]);
  });

  it('rolls by age on its timer, and flush makes appends durable without making them visible', async () => {
    const dir = root('age');
    const w = new PartWriter({ root: dir, dataset: pageviewsDataset, maxAgeMs: 300 });
    w.append(rec('x', Date.UTC(2020, 0, 1)));
    w.flush();
    expect(readDataset(dir).parts).toEqual([]);
    expect(readDataset(dir).temps.length).toBe(1);
    await new Promise((r) => setTimeout(r, 600));
    const view = readDataset(dir);
    expect(view.all.map((r) => r.id)).toEqual(['x']);
    expect(view.temps).toEqual([]);
    w.close();
  });

  it('writes gzip parts whose every flush ends a member', () => {
    const dir = root('gzip');
    const w = new PartWriter({ root: dir, dataset: pageviewsDataset, gzip: true });
    for (let b = 0; b < 5; b++) {
      for (let i = 0; i < 10; i++) w.append(rec(`g${b}-${i}`, Date.UTC(2020, 0, 1, b)));
      w.flush();
    }
    w.close();
    const view = readDataset(dir);
    expect(view.parts.length).toBe(1);
    expect(view.parts[0]).toMatch(/\.jsonl\.gz$/);
    expect(view.all.length).toBe(50);
    const names = readdirSync(view.parts[0]!.replace(/\/[^/]+$/, ''));
    expect(names.every((n) => PART_FILE.test(n))).toBe(true);
    expect(statSync(view.parts[0]!).mode & 0o777).toBe(0o444);
  });
});
