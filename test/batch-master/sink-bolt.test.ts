// MasterSinkBolt acks an input only after the fsync that holds its record: checked against
// what was fsynced at the moment of each ack, with a failing fsync, and against the disk.
import { describe, expect, it } from 'vitest';
import type { MasterRecord } from '../../src/batch/master/layout.js';
import { duplicates, readDataset, rec } from './helpers.js';
import { sinkHarness, tuple } from './sink-harness.js';

const harness = (tag: string) => sinkHarness(tag, { flushRecords: 25 });

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
    const h = harness('fail');
    h.state.broken = true;
    for (let i = 0; i < 25; i++) h.bolt.execute(tuple(rec(`f${i}`, Date.UTC(2022, 0, 1) + i)));
    expect(h.acked).toEqual([]);
    expect(h.failed.length).toBe(25);
    expect(String(h.errors[0])).toContain('25 input(s) failed for replay');
    h.state.broken = false;
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
