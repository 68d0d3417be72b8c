// MasterSinkBolt acks an input only after the fsync that holds its record: checked against
// what was fsynced at the moment of each ack, with a failing fsync, and against the disk.
import { describe, expect, it } from 'vitest';
import type { PageviewRecord as MasterRecord } from '../../topologies/pageviews/dataset.js';
import { duplicates, readDataset, rec } from './helpers.js';
import { sinkHarness, tempFiles, tuple, until } from './sink-harness.js';

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

  it('holds (never fails) the inputs of a flush whose fsync fails, retries with backoff and acks each once after', async () => {
    const h = harness('hold');
    h.state.broken = true;
    let r: void | Promise<void> = undefined;
    for (let i = 0; i < 25; i++) r = h.bolt.execute(tuple(rec(`f${i}`, Date.UTC(2022, 0, 1) + i)));
    expect(r).toBeInstanceOf(Promise); // the thread counts busy while the retry runs
    // Only the input that started the retry holds its promise: a reaction per input would keep
    // every input reachable for as long as the outage lasts.
    for (let i = 25; i < 30; i++) expect(h.bolt.execute(tuple(rec(`f${i}`, Date.UTC(2022, 0, 1) + i)))).toBeUndefined();
    expect(h.bolt.execute(tuple(null, true))).toBeUndefined(); // nor a tick
    await until(() => h.state.fsyncs >= 4, 5000, 'retries'); // 50, 100, 200 ms ...
    expect(h.acked).toEqual([]);
    expect(h.failed).toEqual([]); // no replay: their trees are held, their timeouts reset
    expect(h.resets.count).toBeGreaterThanOrEqual(25);
    expect(String(h.errors[0])).toMatch(/cannot write the master dataset in \S+pageviews\S*: EIO: .*holding 25 input\(s\), retrying in 50 ms/);
    expect(String(h.errors[1])).toMatch(/retrying in 100 ms/);
    expect(tempFiles(h.root)).toEqual([]); // a failed attempt leaves no (empty) temp part behind
    h.state.broken = false;
    await r;
    expect(h.acked.length).toBe(30); // the five that arrived during the outage went with the retry
    await h.bolt.cleanup();
    const all = readDataset(h.root).all;
    expect(all.length).toBe(30);
    expect(duplicates(all)).toEqual([]); // failed attempts were cut back: each record once
    expect(h.fatal).toEqual([]);
  });

  it('resets the held trees\' timeouts every third of messageTimeoutMs, however long the backoff', async () => {
    // messageTimeoutMs 300: a reset at least every 100 ms; the fifth wait is retryMaxMs (800 ms).
    const h = sinkHarness('resets', { flushRecords: 1, config: { messageTimeoutMs: 300, 'master.retryMaxMs': 800 } });
    h.state.broken = true;
    const r = h.bolt.execute(tuple(rec('slow', Date.UTC(2022, 0, 1))));
    await until(() => h.state.fsyncs >= 6, 10_000, 'five retries');
    const [at5, at6] = [h.state.resetsAtFsync[4]!, h.state.resetsAtFsync[5]!];
    expect(at6 - at5).toBeGreaterThanOrEqual(8); // 800 ms in 100 ms steps, one input (was 2: before and after the wait)
    h.state.broken = false;
    await r;
    expect(h.acked).toEqual(['slow']);
    await h.bolt.cleanup();
  });

  it('fails the run (failRun, naming the folder and errno) after master.failAfterMs of failure, still holding', async () => {
    const h = sinkHarness('fatal', { flushRecords: 5, config: { 'master.failAfterMs': 200, 'master.retryMaxMs': 50 } });
    h.state.broken = true;
    for (let i = 0; i < 5; i++) h.bolt.execute(tuple(rec(`x${i}`, Date.UTC(2022, 0, 1) + i)));
    await until(() => h.fatal.length > 0, 5000, 'failRun');
    expect(String(h.fatal[0])).toMatch(/could not be written for 0\.\d s \(master\.failAfterMs 200\): cannot write the master dataset in \S+: EIO/);
    expect(h.failed).toEqual([]);
    await new Promise((r) => setTimeout(r, 150)); // once only
    expect(h.fatal.length).toBe(1);
    h.state.broken = false;
    await h.bolt.cleanup();
  });

  it('drops (acks and reports) an input whose record can never be written', () => {
    const h = harness('invalid');
    h.bolt.execute(tuple({ id: 'x' } as unknown as MasterRecord));
    expect(String(h.errors[0])).toContain("not a fact of dataset 'pageviews': missing string 'url'");
    expect(h.acked).toEqual(['x']);
    h.bolt.cleanup();
    expect(readDataset(h.root).all).toEqual([]);
  });
});
