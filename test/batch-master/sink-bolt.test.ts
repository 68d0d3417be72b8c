// MasterSinkBolt acks an input only after the fsync that holds its record: checked against
// what was fsynced at the moment of each ack, with a failing fsync, and against the disk.
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
import { duplicates, readDataset, rec, tempRoot } from './helpers.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((f) => f()));

function tuple(record: MasterRecord | null, tick = false): Tuple {
  return {
    values: [record], fields: ['record'], sourceComponent: tick ? '__system' : 'parse', sourceStreamId: tick ? '__tick' : 'facts', sourceTask: 1,
    getValue: () => record, getValueByField: () => record, getString: () => '', getStringByField: () => '', getNumberByField: () => 0,
    contains: (f) => f === 'record', fieldIndex: () => 0, isTick: () => tick,
  };
}

/** Part name without the temp decorations: the same key before and after a roll. */
const partKey = (path: string): string => basename(path).replace(/^\./, '').replace(/\.tmp$/, '');

function harness(tag: string, fsyncHook?: (fd: number) => void) {
  const t = tempRoot(tag);
  cleanups.push(t.remove);
  const synced = new Map<string, number>(); // part -> bytes on disk at its last fsync
  const fsync = (fd: number): void => {
    fsyncHook?.(fd);
    const size = fstatSync(fd).size;
    fsyncSync(fd);
    synced.set(partKey(readlinkSync(`/proc/self/fd/${fd}`)), size);
  };
  const acked: string[] = [];
  const failed: string[] = [];
  const errors: unknown[] = [];
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
    emit: () => {}, emitDirect: () => {}, resetTimeout: () => {},
  } as unknown as OutputCollector;
  const bolt = new MasterSinkBolt({ flushRecords: 25, openWriter: (o: PartWriterOptions) => new PartWriter({ ...o, fsync }) });
  bolt.prepare({ master: t.dir, tickFrequencyMs: 100 }, {} as TopologyContext, collector);
  return { root: t.dir, bolt, acked, failed, errors };
}

describe('MasterSinkBolt', () => {
  it('acks each input only after the fsync holding its record, by size and on ticks', () => {
    const h = harness('acks');
    const base = Date.UTC(2022, 2, 3, 23, 59, 50);
    for (let i = 0; i < 110; i++) {
      h.bolt.execute(tuple(rec(`s${i}`, base + i * 200))); // crosses midnight: two partitions
      if (i < 100) expect(h.acked.length).toBe(Math.floor((i + 1) / 25) * 25); // nothing acked early
    }
    expect(h.acked.length).toBe(100);
    h.bolt.execute(tuple(null, true)); // tick: the last 10
    expect(h.acked.length).toBe(110);
    h.bolt.cleanup();
    const view = readDataset(h.root);
    expect(view.all.length).toBe(110);
    expect(duplicates(view.all)).toEqual([]);
    expect(view.byDate.size).toBe(2);
    expect(h.failed).toEqual([]);
  });

  it('fails (never acks) the inputs of a flush whose fsync fails, and keeps going after', () => {
    let broken = true;
    const h = harness('fail', () => {
      if (broken) throw Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });
    });
    for (let i = 0; i < 25; i++) h.bolt.execute(tuple(rec(`f${i}`, Date.UTC(2022, 0, 1) + i)));
    expect(h.acked).toEqual([]);
    expect(h.failed.length).toBe(25);
    expect(String(h.errors[0])).toContain('25 input(s) failed for replay');
    broken = false;
    for (let i = 25; i < 50; i++) h.bolt.execute(tuple(rec(`f${i}`, Date.UTC(2022, 0, 1) + i)));
    expect(h.acked.length).toBe(25);
    h.bolt.cleanup();
    // Every acked record is on disk; failed ones may be too (the spout replays them: at-least-once).
    const ids = new Set(readDataset(h.root).all.map((r) => r.id));
    for (const id of h.acked) expect(ids.has(id)).toBe(true);
  });

  it('drops (acks and reports) an input whose record can never be written', () => {
    const h = harness('invalid');
    h.bolt.execute(tuple({ id: 'x' } as unknown as MasterRecord));
    expect(String(h.errors[0])).toContain('no numeric ts');
    expect(h.acked).toEqual(['x']);
    h.bolt.cleanup();
    expect(readDataset(h.root).all).toEqual([]);
  });
});
