// Compaction keeps every record exactly once: normally, when interrupted between the new
// part's rename and the inputs' removal, and when interrupted before the rename.
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PartWriter } from '../../src/batch/master/part-writer.js';
import { compactPartition } from '../../src/batch/master/compact.js';
import { listPartition } from '../../src/batch/master/list.js';
import { partitionDir } from '../../src/batch/master/layout.js';
import { newUnique, ownerOf } from '../../src/batch/master/names.js';
import { assertBuilt, topo } from '../cli/run-cli.js';
import { duplicates, readDataset, rec, tempRoot } from './helpers.js';
import { pageviewsDataset } from '../../topologies/pageviews/dataset.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((f) => f()));
beforeAll(assertBuilt);

const DATE = '2021-06-01';
/** A dataset with `n` records spread over many small parts of one partition (and one of the next day). */
function smallParts(tag: string, n = 500, gzip = false): { root: string; dir: string } {
  const t = tempRoot(tag);
  cleanups.push(t.remove);
  const w = new PartWriter({ root: t.dir, dataset: pageviewsDataset, maxBytes: 2048, bufferBytes: 256, gzip });
  for (let i = 0; i < n; i++) w.append(rec(`r${i}`, Date.UTC(2021, 5, 1, 12) + i));
  w.append(rec('other-day', Date.UTC(2021, 5, 2)));
  w.close();
  return { root: t.dir, dir: partitionDir(t.dir, 'pageviews', DATE) };
}

const idsOf = (root: string): string[] => readDataset(root).all.map((r) => r.id).sort();

describe('compactPartition', () => {
  it.each([false, true])('turns many small parts into one holding every record once (gzip inputs %s)', (gzip) => {
    const { root, dir } = smallParts(`c-${gzip}`, 500, gzip);
    const ids = idsOf(root);
    const inputs = listPartition(dir).parts;
    expect(inputs.length).toBeGreaterThan(10);
    const r = compactPartition(dir, { gzip });
    expect(r.lines).toBe(500);
    expect(r.inputs).toEqual(inputs);
    expect(listPartition(dir).parts).toEqual([r.output!.split('/').pop()]);
    expect(idsOf(root)).toEqual(ids);
    expect(readdirSync(dir).filter((n) => n.startsWith('_') || n.startsWith('.'))).toEqual([]);
    // Below --min-files: nothing to do.
    expect(compactPartition(dir).output).toBeNull();
  });

  it('interrupted between rename and removal: readers skip the inputs, the next run removes them', () => {
    const { root, dir } = smallParts('crash-after');
    const ids = idsOf(root);
    expect(() => compactPartition(dir, { beforeRemove: () => { throw new Error('crash'); } })).toThrow('crash');
    const l = listPartition(dir);
    expect(l.manifests.length).toBe(1);
    expect(l.manifests[0]!.applies).toBe(true);
    expect(l.superseded.length).toBeGreaterThan(10); // both the inputs and the output exist on disk
    expect(l.parts.length).toBe(1);
    expect(idsOf(root)).toEqual(ids); // ...but a reader honouring the rule sees each record once
    expect(duplicates(readDataset(root).all)).toEqual([]);
    const next = compactPartition(dir);
    expect(next.finished).toBe(1);
    expect(listPartition(dir).superseded).toEqual([]);
    expect(listPartition(dir).manifests).toEqual([]);
    expect(idsOf(root)).toEqual(ids);
  });

  it('interrupted before the rename: the manifest is void, the hidden output is dropped', () => {
    const { root, dir } = smallParts('crash-before');
    const ids = idsOf(root);
    const inputs = listPartition(dir).parts;
    // What a compaction killed after its manifest but before its rename leaves: a unique of
    // this host with a dead pid.
    const u = newUnique().replace(/^(\w+-\w+)-\d+-/, '$1-999999-');
    expect(ownerOf(u)?.pid).toBe(999999);
    writeFileSync(join(dir, `_compaction-${u}.json`), JSON.stringify({ output: `part-${u}.jsonl`, inputs, lines: 500 }));
    writeFileSync(join(dir, `.compact-${u}.jsonl.tmp`), 'partial');
    expect(listPartition(dir).manifests[0]!.applies).toBe(false);
    expect(idsOf(root)).toEqual(ids);
    const r = compactPartition(dir);
    expect(r.voided).toBe(1);
    expect(r.lines).toBe(500);
    expect(readdirSync(dir).filter((n) => !n.startsWith('part-'))).toEqual([]);
    expect(idsOf(root)).toEqual(ids);
  });
});

describe('topo compact', () => {
  it('compacts --all partitions with enough files, and exits 2 without --date or --all', async () => {
    const { root, dir } = smallParts('cli');
    const ids = idsOf(root);
    const r = await topo(['compact', '--master', root, '--all']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/date=2021-06-01: \d+ files -> part-.*\.jsonl \(500 records\)/);
    expect(r.stdout).toContain('date=2021-06-02: nothing to compact');
    expect(listPartition(dir).parts.length).toBe(1);
    expect(idsOf(root)).toEqual(ids);
    expect((await topo(['compact', '--master', root])).code).toBe(2);
    expect((await topo(['compact', '--master', root, '--date', '2021-13-01'])).code).toBe(2);
  });
});
