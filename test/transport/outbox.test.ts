/**
 * When the outbox sends a partial batch: at once on flushAll (the thread is about to sleep),
 * on flushDue only once its first tuple has waited the delay, and always when it is full;
 * and each frame carries its own batch only.
 */
import type { MessagePort } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { Outbox } from '../../src/runtime/transport/outbox.js';
import { decodeFrame } from '../../src/runtime/transport/frames.js';
import { SharedState } from '../../src/runtime/shared-state.js';

function setup(batchSize = 10) {
  const posted: Uint8Array[] = [];
  const port = { postMessage: (f: Uint8Array) => void posted.push(f) } as unknown as MessagePort;
  const clock = { now: 0 };
  const outbox = new Outbox(() => {}, 0, [undefined, port], new SharedState(2, 10), batchSize, 16, () => clock.now);
  return { posted, clock, outbox };
}

describe('outbox flush policy', () => {
  it('holds a partial batch until its first tuple is batchDelay old, then sends it whole', () => {
    const { posted, clock, outbox } = setup();
    clock.now = 100;
    outbox.add(1, 5, 0, 2, null, ['a']);
    clock.now = 100.03;
    outbox.add(1, 5, 0, 2, null, ['b']);
    outbox.flushDue(100.04, 0.05);
    expect(posted).toHaveLength(0);
    expect(outbox.pendingTuples).toBe(2);
    outbox.flushDue(100.06, 0.05);
    expect(posted).toHaveLength(1);
    expect(decodeFrame(posted[0]!)).toEqual([5, 0, 2, null, ['a'], 5, 0, 2, null, ['b']]);
    // The next batch's delay runs from its own first tuple.
    clock.now = 200;
    outbox.add(1, 5, 0, 2, null, ['c']);
    outbox.flushDue(200.01, 0.05);
    expect(posted).toHaveLength(1);
  });

  it('sends at once on flushAll, and a full batch without waiting', () => {
    const { posted, outbox } = setup(3);
    outbox.add(1, 5, 0, 2, null, ['a']);
    outbox.flushAll();
    expect(posted).toHaveLength(1);
    for (const v of ['b', 'c', 'd']) outbox.add(1, 5, 0, 2, null, [v]);
    expect(posted).toHaveLength(2);
    expect(outbox.pendingTuples).toBe(0);
  });

  it('a batch after a bigger one carries only its own tuples (the batch array is reused)', () => {
    const { posted, outbox } = setup(3);
    for (const v of ['a', 'b', 'c']) outbox.add(1, 5, 0, 2, [4294967296, 1, 2], [v]);
    outbox.add(1, 6, 0, 2, null, ['d']);
    outbox.flushAll();
    expect(posted).toHaveLength(2);
    expect(decodeFrame(posted[1]!)).toEqual([6, 0, 2, null, ['d']]);
    expect(outbox.tuplesSent).toBe(4);
  });
});
