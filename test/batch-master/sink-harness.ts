/**
 * A MasterSinkBolt under test: its fsyncs recorded (bytes on disk at each, per part) and
 * breakable, and a collector whose every ack checks that the record's whole line was inside
 * the last fsync of its part. Used by the sync and asyncFlush sink tests.
 */
import { fstatSync, fsyncSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterEach, expect } from 'vitest';
import { MasterSinkBolt } from '../../src/batch/master/sink-bolt.js';
import { PartWriter, type PartWriterOptions } from '../../src/batch/master/part-writer.js';
import type { OutputCollector } from '../../src/api/collectors.js';
import type { TopologyContext } from '../../src/api/context.js';
import type { Tuple } from '../../src/api/tuple.js';
import { pageviewsDataset, type PageviewRecord as MasterRecord } from '../../topologies/pageviews/dataset.js';
import { partitionDirs } from '../../src/batch/master/recover.js';
import { tempRoot } from './helpers.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((f) => f()));

/** An input of the sink: a record on the facts stream, or a tick. */
export function tuple(record: MasterRecord | null, tick = false): Tuple {
  return {
    values: [record], fields: ['record'], sourceComponent: tick ? '__system' : 'parse', sourceStreamId: tick ? '__tick' : 'facts', sourceTask: 1,
    getValue: () => record, getValueByField: () => record, getString: () => '', getStringByField: () => '', getNumberByField: () => 0,
    contains: (f) => f === 'record', fieldIndex: () => 0, isTick: () => tick,
  };
}

/** Part name without the temp decorations: the same key before and after a roll. */
const partKey = (path: string): string => basename(path).replace(/^\./, '').replace(/\.tmp$/, '');

export function sinkHarness(tag: string, options: { asyncFlush?: boolean; flushRecords: number; config?: Record<string, unknown> }) {
  const t = tempRoot(tag);
  cleanups.push(t.remove);
  const synced = new Map<string, number>(); // part -> bytes on disk at its last fsync
  /** Set `broken` to make every fsync fail with EIO; `fsyncs` counts the calls, `resetsAtFsync` the timeout resets seen before each. */
  const state = { broken: false, fsyncs: 0, resetsAtFsync: [] as number[] };
  const fsync = (fd: number): void => {
    state.fsyncs++;
    state.resetsAtFsync.push(resets.count);
    if (state.broken) throw Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });
    const size = fstatSync(fd).size;
    fsyncSync(fd);
    synced.set(partKey(readlinkSync(`/proc/self/fd/${fd}`)), size);
  };
  const acked: string[] = [];
  const failed: string[] = [];
  const errors: unknown[] = [];
  /** Errors the sink failed the run with (OutputCollector.failRun); resetTimeout calls. */
  const fatal: unknown[] = [];
  const resets = { count: 0 };
  /** Where a record's line ends in its part right now (temp or rolled), or null. */
  const endOf = (id: string): { key: string; end: number } | null => {
    for (const dir of partitionDirs(t.dir, 'pageviews')) {
      for (const n of readdirSync(dir)) {
        const text = readFileSync(join(dir, n), 'utf8');
        const at = text.indexOf(`{"id":"${id}"`);
        if (at >= 0) return { key: partKey(n), end: text.indexOf('\n', at) + 1 };
      }
    }
    return null;
  };
  const collector = {
    ack: (tp: Tuple) => {
      const { id, ts } = tp.getValueByField('record') as MasterRecord;
      if (typeof ts !== 'number') return void acked.push(id); // a dropped invalid input
      // The ack's own check: the record's whole line was inside the part's last fsync.
      const where = endOf(id);
      expect(where, `acked ${id} is not on disk`).not.toBeNull();
      expect(synced.get(where!.key) ?? 0, `acked ${id} before the fsync holding it`).toBeGreaterThanOrEqual(where!.end);
      acked.push(id);
    },
    fail: (tp: Tuple) => failed.push((tp.getValueByField('record') as MasterRecord).id),
    reportError: (e: unknown) => errors.push(e),
    failRun: (e: unknown) => fatal.push(e),
    emit: () => {}, emitDirect: () => {}, resetTimeout: () => void resets.count++,
  } as unknown as OutputCollector;
  const bolt = new MasterSinkBolt<MasterRecord>({ ...options, dataset: pageviewsDataset, openWriter: (o: PartWriterOptions<MasterRecord>) => new PartWriter({ ...o, fsync }) });
  bolt.prepare({ master: t.dir, tickFrequencyMs: 100, ...options.config }, {} as TopologyContext, collector);
  return { root: t.dir, bolt, acked, failed, errors, fatal, resets, state };
}

/** Polls `cond` every 10 ms until it holds or `ms` pass (then fails the test). */
export async function until(cond: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Temp files in the dataset now. */
export function tempFiles(root: string): string[] {
  return partitionDirs(root, 'pageviews').flatMap((d) => readdirSync(d).filter((n) => n.endsWith('.tmp')).map((n) => join(d, n)));
}
