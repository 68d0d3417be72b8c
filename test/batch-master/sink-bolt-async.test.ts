// MasterSinkBolt with asyncFlush (how topologies/pageviews.ts runs it): fsyncs run off the
// event loop, inputs arriving meanwhile wait for the next flush, and every input is acked only
// after an fsync that holds its record; a failed fsync holds its inputs and those held meanwhile for a retry.
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { partitionDirs } from '../../src/batch/master/recover.js';
import { duplicates, readDataset, rec } from './helpers.js';
import { sinkHarness, tempFiles, tuple, until } from './sink-harness.js';

const harness = (tag: string) => sinkHarness(tag, { asyncFlush: true, flushRecords: 10 });

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

  it('returns the running loop\'s promise to no input but the one that started it', async () => {
    // The runtime attaches a reaction holding the input to each returned promise; under steady
    // input the loop never settles, so one per input would keep every tuple reachable.
    const h = harness('async-join');
    let first: void | Promise<void> = undefined;
    for (let i = 0; i < 10; i++) first = h.bolt.execute(tuple(rec(`j${i}`, Date.UTC(2022, 0, 1) + i)));
    expect(first).toBeInstanceOf(Promise);
    let promises = 0;
    for (let i = 10; i < 3010; i++) if (h.bolt.execute(tuple(rec(`j${i}`, Date.UTC(2022, 0, 1) + i))) !== undefined) promises++;
    if (h.bolt.execute(tuple(null, true)) !== undefined) promises++;
    expect(promises).toBe(0); // was 2992: every input past the tenth, and the tick, got the loop
    await first; // the loop drains what arrived during each fsync before it settles
    expect(h.acked.length).toBe(3010);
    await h.bolt.cleanup();
    expect(readDataset(h.root).all.length).toBe(3010);
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

  it('holds the inputs of a failed fsync and those held meanwhile, retries, and acks each once', async () => {
    const h = harness('async-hold');
    h.state.broken = true;
    let flush: void | Promise<void> = undefined;
    for (let i = 0; i < 10; i++) flush = h.bolt.execute(tuple(rec(`f${i}`, Date.UTC(2022, 0, 1) + i)));
    for (let i = 10; i < 13; i++) h.bolt.execute(tuple(rec(`f${i}`, Date.UTC(2022, 0, 1) + i)));
    await flush;
    await until(() => h.state.fsyncs >= 3, 5000, 'retries');
    expect(h.acked).toEqual([]);
    expect(h.failed).toEqual([]);
    expect(String(h.errors[0])).toMatch(/EIO.*holding 13 input\(s\)/);
    expect(tempFiles(h.root)).toEqual([]);
    h.state.broken = false;
    await until(() => h.acked.length === 13, 5000, 'acks after the disk recovers');
    for (let i = 13; i < 23; i++) flush = h.bolt.execute(tuple(rec(`f${i}`, Date.UTC(2022, 0, 1) + i)));
    await flush;
    expect(h.acked.length).toBe(23);
    await h.bolt.cleanup();
    const all = readDataset(h.root).all;
    expect(all.length).toBe(23);
    expect(duplicates(all)).toEqual([]);
  });
});
