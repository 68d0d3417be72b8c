// MasterSinkBolt with asyncFlush (how topologies/pageviews.ts runs it): fsyncs run off the
// event loop, inputs arriving meanwhile wait for the next flush, and every input is acked only
// after an fsync that holds its record; a failed fsync fails its inputs and those held meanwhile.
import { fstatSync, fsyncSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MasterSinkBolt } from '../../src/batch/master/sink-bolt.js';
import { PartWriter, type PartWriterOptions } from '../../src/batch/master/part-writer.js';
import type { OutputCollector } from '../../src/api/collectors.js';
import type { TopologyContext } from '../../src/api/context.js';
import type { Tuple } from '../../src/api/tuple.js';
import type { MasterRecord } from '../../src/batch/master/layout.js';
import { partitionDirs } from '../../src/batch/master/recover.js';
import { duplicates, readDataset, rec, tempRoot } from '../batch-master/helpers.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((f) => f()));

function tuple(record: MasterRecord | null, tick = false): Tuple {
  return {
    values: [record], fields: ['record'], sourceComponent: tick ? '__system' : 'parse', sourceStreamId: tick ? '__tick' : 'facts', sourceTask: 1,
    getValue: () => record, getValueByField: () => record, getString: () => '', getStringByField: () => '', getNumberByField: () => 0,
    contains: (f) => f === 'record', fieldIndex: () => 0, isTick: () => tick,
  };
}

const partKey = (path: string): string => basename(path).replace(/^\./, '').replace(/\.tmp$/, '');

/** A sink whose fsyncs are recorded (bytes on disk at each) and can be made to fail. */
function harness(tag: string) {
  const t = tempRoot(tag);
  cleanups.push(t.remove);
  const synced = new Map<string, number>();
  const state = { broken: false, fsyncs: 0 };
  const fsync = (fd: number): void => {
    state.fsyncs++;
    if (state.broken) throw Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });
    const size = fstatSync(fd).size;
    fsyncSync(fd);
    synced.set(partKey(readlinkSync(`/proc/self/fd/${fd}`)), size);
  };
  const acked: string[] = [];
  const failed: string[] = [];
  const errors: unknown[] = [];
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
      const { id } = tp.getValueByField('record') as MasterRecord;
      const where = endOf(id);
      expect(where, `acked ${id} is not on disk`).not.toBeNull();
      expect(synced.get(where!.key) ?? 0, `acked ${id} before the fsync holding it`).toBeGreaterThanOrEqual(where!.end);
      acked.push(id);
    },
    fail: (tp: Tuple) => failed.push((tp.getValueByField('record') as MasterRecord).id),
    reportError: (e: unknown) => errors.push(e),
    emit: () => {}, emitDirect: () => {}, resetTimeout: () => {},
  } as unknown as OutputCollector;
  const bolt = new MasterSinkBolt({ asyncFlush: true, flushRecords: 10, openWriter: (o: PartWriterOptions) => new PartWriter({ ...o, fsync }) });
  bolt.prepare({ master: t.dir, tickFrequencyMs: 100 }, {} as TopologyContext, collector);
  return { root: t.dir, bolt, acked, failed, errors, state };
}

describe('MasterSinkBolt with asyncFlush', () => {
  it('acks nothing before its flush resolves, then each input only after the fsync holding it', async () => {
    const h = harness('async-acks');
    const base = Date.UTC(2022, 2, 3, 23, 59, 50);
    let flush: void | Promise<void> = undefined;
    for (let i = 0; i < 10; i++) flush = h.bolt.execute(tuple(rec(`a${i}`, base + i * 2000))); // crosses midnight
    expect(flush).toBeInstanceOf(Promise);
    expect(h.acked).toEqual([]); // the fsync has not run yet: execute returned at once
    // Inputs arriving while the flush is in flight wait for the next one, started by the loop.
    for (let i = 10; i < 15; i++) h.bolt.execute(tuple(rec(`a${i}`, base + i * 2000)));
    await flush;
    expect(h.acked.length).toBe(15);
    expect(h.failed).toEqual([]);
    await h.bolt.cleanup();
    const view = readDataset(h.root);
    expect(view.all.length).toBe(15);
    expect(duplicates(view.all)).toEqual([]);
    expect(view.byDate.size).toBe(2);
  });

  it('flushes on a tick and rolls every part, in parallel, at cleanup', async () => {
    const h = harness('async-tick');
    for (let i = 0; i < 3; i++) h.bolt.execute(tuple(rec(`t${i}`, Date.UTC(2022, 0, 1 + i))));
    expect(h.acked).toEqual([]);
    await h.bolt.execute(tuple(null, true));
    expect(h.acked.length).toBe(3);
    await h.bolt.cleanup();
    for (const dir of partitionDirs(h.root, 'pageviews')) expect(readdirSync(dir).every((n) => n.startsWith('part-'))).toBe(true);
    expect(readDataset(h.root).all.length).toBe(3);
  });

  it('fails the inputs of a failed fsync and those held meanwhile, then recovers', async () => {
    const h = harness('async-fail');
    h.state.broken = true;
    let flush: void | Promise<void> = undefined;
    for (let i = 0; i < 10; i++) flush = h.bolt.execute(tuple(rec(`f${i}`, Date.UTC(2022, 0, 1) + i)));
    for (let i = 10; i < 13; i++) h.bolt.execute(tuple(rec(`f${i}`, Date.UTC(2022, 0, 1) + i)));
    await flush;
    expect(h.acked).toEqual([]);
    expect(h.failed.length).toBe(13);
    expect(String(h.errors[0])).toContain('13 input(s) failed for replay');
    h.state.broken = false;
    for (let i = 13; i < 23; i++) flush = h.bolt.execute(tuple(rec(`f${i}`, Date.UTC(2022, 0, 1) + i)));
    await flush;
    expect(h.acked.length).toBe(10);
    await h.bolt.cleanup();
    const ids = new Set(readDataset(h.root).all.map((r) => r.id));
    for (const id of h.acked) expect(ids.has(id)).toBe(true);
  });
});
