import { describe, expect, it } from 'vitest';
import { AckerBolt } from '../../src/runtime/acker/acker-bolt.js';
import { ACK_ACK_STREAM, ACK_FAIL_STREAM, ACK_INIT_STREAM, ACK_RESET_STREAM, WORKER_LOST_STREAM } from '../../src/topology/acker-protocol.js';
import type { OutputCollector, Tuple, TopologyContext } from '../../src/index.js';

/** Just what the acker reads from a tuple. */
function tuple(stream: string, values: unknown[]): Tuple {
  return { values, sourceStreamId: stream, isTick: () => false } as unknown as Tuple;
}
const tick = { values: [], sourceStreamId: '__tick', isTick: () => true } as unknown as Tuple;

function acker() {
  const sent: Array<{ task: number; stream: string; root: unknown }> = [];
  const collector = {
    emitDirect: (task: number, _anchors: unknown, values: unknown[], stream: string) => sent.push({ task, stream, root: values[0] }),
  } as unknown as OutputCollector;
  const bolt = new AckerBolt();
  bolt.prepare({}, {} as TopologyContext, collector);
  const init = (root: number, hi: number, lo: number, task: number, workers = 0) =>
    bolt.execute(tuple(ACK_INIT_STREAM, [root, hi, lo, task, workers]));
  const ack = (root: number, hi: number, lo: number, workers = 0) => bolt.execute(tuple(ACK_ACK_STREAM, [root, hi, lo, workers]));
  const lost = (worker: number) => bolt.execute(tuple(WORKER_LOST_STREAM, [worker]));
  const fail = (root: number) => bolt.execute(tuple(ACK_FAIL_STREAM, [root]));
  const reset = (root: number) => bolt.execute(tuple(ACK_RESET_STREAM, [root]));
  return { bolt, sent, init, ack, fail, reset, lost };
}

describe('AckerBolt', () => {
  it('fails at once the incomplete trees that reached a worker thread that died, and only those', () => {
    const a = acker();
    a.init(1, 5, 6, 3, 0b010); // root tuple sent to worker 1
    a.init(2, 7, 8, 3, 0b001); // root tuple sent to worker 0 only
    a.ack(2, 7, 8 ^ 9, 0b100); // ...whose child went to worker 2
    a.ack(9, 1, 1, 0b010); // an ack that overtook its init, for a tree that reached worker 1
    a.lost(1);
    expect(a.sent).toEqual([{ task: 3, stream: ACK_FAIL_STREAM, root: 1 }]);
    a.lost(2);
    expect(a.sent[1]).toEqual({ task: 3, stream: ACK_FAIL_STREAM, root: 2 });
    a.init(9, 1, 1, 4, 0);
    expect(a.sent[2]).toEqual({ task: 4, stream: ACK_FAIL_STREAM, root: 9 });
    expect(a.bolt.pendingTrees).toBe(0);
  });

  it('completes a tree when the XOR of every edge comes back to zero, and not before', () => {
    const a = acker();
    // spout -> two children (edges e1, e2); child 1 emits a grandchild (edge e3).
    const e1 = [0x1234, 0x5678], e2 = [-7, 99], e3 = [0x7fffffff, -0x80000000];
    a.init(42, e1[0]! ^ e2[0]!, e1[1]! ^ e2[1]!, 3);
    a.ack(42, e1[0]! ^ e3[0]!, e1[1]! ^ e3[1]!); // child 1 acked, anchoring e3
    expect(a.sent).toEqual([]);
    a.ack(42, e2[0]!, e2[1]!);
    expect(a.sent).toEqual([]);
    a.ack(42, e3[0]!, e3[1]!);
    expect(a.sent).toEqual([{ task: 3, stream: ACK_ACK_STREAM, root: 42 }]);
    expect(a.bolt.pendingTrees).toBe(0);
  });

  it('accepts acks that overtake the init, and completes when the init arrives', () => {
    const a = acker();
    a.ack(7, 11, 13);
    expect(a.sent).toEqual([]);
    expect(a.bolt.pendingTrees).toBe(1);
    a.init(7, 11, 13, 5);
    expect(a.sent).toEqual([{ task: 5, stream: ACK_ACK_STREAM, root: 7 }]);
  });

  it('fails a tree on a fail, even one that arrives before the init', () => {
    const a = acker();
    a.init(1, 5, 6, 2);
    a.fail(1);
    expect(a.sent).toEqual([{ task: 2, stream: ACK_FAIL_STREAM, root: 1 }]);
    a.fail(9);
    a.init(9, 1, 1, 4);
    expect(a.sent[1]).toEqual({ task: 4, stream: ACK_FAIL_STREAM, root: 9 });
    expect(a.bolt.pendingTrees).toBe(0);
  });

  it('keeps trees apart: acking one root leaves another pending', () => {
    const a = acker();
    a.init(1, 3, 4, 2);
    a.init(2, 3, 4, 2);
    a.ack(1, 3, 4);
    expect(a.sent.map((s) => s.root)).toEqual([1]);
    expect(a.bolt.pendingTrees).toBe(1);
  });

  it('forgets a tree after it sat through all rotations, and a reset keeps it alive and tells the spout', () => {
    const a = acker();
    a.init(1, 3, 4, 2);
    a.init(2, 3, 4, 2);
    a.bolt.execute(tick);
    a.bolt.execute(tick);
    a.reset(2);
    expect(a.sent).toEqual([{ task: 2, stream: ACK_RESET_STREAM, root: 2 }]);
    a.bolt.execute(tick); // root 1 was in the oldest bucket: gone; root 2 was moved to the newest
    expect(a.bolt.pendingTrees).toBe(1);
    a.ack(2, 3, 4);
    expect(a.sent[1]).toEqual({ task: 2, stream: ACK_ACK_STREAM, root: 2 });
    a.ack(1, 3, 4); // a late ack for an expired tree starts a new, orphan entry and completes nothing
    expect(a.sent).toHaveLength(2);
  });
});
