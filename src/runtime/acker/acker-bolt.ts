/**
 * The acker: an ordinary bolt, added to the plan by the system rewrite. Per tree root it
 * keeps the XOR of every edge id it has heard of (two int32 halves). The spout's init
 * brings the XOR of the root's edges; each bolt ack brings its input's edge XOR its
 * children's. At zero (after init) the tree is complete. Timeouts rotate on tick tuples;
 * the spout keeps its own timeouts, so here expiry only frees memory. Acks also carry the
 * threads a tree reached, so when a thread dies its trees fail at once (and replay)
 * rather than waiting out the message timeout.
 */
import type { Bolt, Config } from '../../api/components.js';
import type { OutputCollector } from '../../api/collectors.js';
import type { TopologyContext } from '../../api/context.js';
import type { Tuple } from '../../api/tuple.js';
import { RootTable } from './root-table.js';
import {
  ACK_ACK_STREAM, ACK_FAIL_STREAM, ACK_INIT_STREAM, ACK_RESET_STREAM, WORKER_LOST_STREAM,
  AT_ACK_WORKERS, AT_INIT_TASK, AT_INIT_WORKERS, AT_ROOT, AT_XHI, AT_XLO, FAIL_BY_BOLT, FAIL_THREAD_LOST, failMessage, rootMessage, workerBit,
} from '../../topology/acker-protocol.js';
/** RootTable.failed values: 0 not failed, else the reason + 1. */
const FAILED_BY_BOLT = FAIL_BY_BOLT + 1;
const FAILED_THREAD_LOST = FAIL_THREAD_LOST + 1;

/** Ticks come every T/2, so an entry last touched 3 ticks ago is between T and 1.5 T old. */
const EXPIRY_TICKS = 3;

export class AckerBolt implements Bolt {
  // One table with a generation per entry rather than Storm's three rotating maps: one
  // lookup per message instead of up to three; expiry sweeps the table once per tick (every
  // T/2). Typed columns, not a Map of objects: see root-table.ts.
  private readonly trees = new RootTable();
  private generation = 0;
  private collector!: OutputCollector;

  declareOutputFields(): void {
    // Streams are declared by the system rewrite (src/topology/system.ts).
  }

  prepare(_config: Config, _context: TopologyContext, collector: OutputCollector): void {
    this.collector = collector;
  }

  get pendingTrees(): number {
    return this.trees.size;
  }

  execute(t: Tuple): void {
    if (t.isTick()) {
      this.expire(++this.generation - EXPIRY_TICKS);
      return;
    }
    if (t.sourceStreamId === WORKER_LOST_STREAM) {
      this.failTouching(workerBit(t.values[0] as number));
      return;
    }
    const v = t.values;
    const root = v[AT_ROOT] as number;
    const tr = this.trees;
    // Acks can overtake the init: an unknown root gets an entry (spout task -1) either way.
    const e = tr.upsert(root, this.generation);
    switch (t.sourceStreamId) {
      case ACK_INIT_STREAM:
        tr.hi[e] ^= v[AT_XHI] as number;
        tr.lo[e] ^= v[AT_XLO] as number;
        tr.spoutTask[e] = v[AT_INIT_TASK] as number;
        tr.workers[e] |= v[AT_INIT_WORKERS] as number;
        break;
      case ACK_ACK_STREAM:
        tr.hi[e] ^= v[AT_XHI] as number;
        tr.lo[e] ^= v[AT_XLO] as number;
        tr.workers[e] |= v[AT_ACK_WORKERS] as number;
        break;
      case ACK_FAIL_STREAM:
        if (tr.failed[e] === 0) tr.failed[e] = FAILED_BY_BOLT;
        break;
      case ACK_RESET_STREAM:
        tr.gen[e] = this.generation;
        if (tr.spoutTask[e]! >= 0) this.collector.emitDirect(tr.spoutTask[e]!, null, rootMessage(root), ACK_RESET_STREAM);
        return;
      default:
        return;
    }
    this.settle(root, e);
  }

  private settle(root: number, e: number): void {
    const tr = this.trees;
    const spoutTask = tr.spoutTask[e]!;
    if (spoutTask < 0) return;
    const failed = tr.failed[e]!;
    if (failed !== 0) {
      tr.remove(e);
      this.collector.emitDirect(spoutTask, null, failMessage(root, failed - 1), ACK_FAIL_STREAM);
    } else if (tr.hi[e] === 0 && tr.lo[e] === 0) {
      tr.remove(e);
      this.collector.emitDirect(spoutTask, null, rootMessage(root), ACK_ACK_STREAM);
    }
  }

  /** Drop entries last touched at or before generation `dead` (the spout has failed them already). */
  private expire(dead: number): void {
    const tr = this.trees;
    const stale: number[] = [];
    for (let i = 0; i < tr.capacity; i++) if (tr.roots[i] !== 0 && tr.gen[i]! <= dead) stale.push(tr.roots[i]!);
    // Removal shifts entries, so remove by root after the scan.
    for (const root of stale) tr.remove(tr.find(root));
  }

  /** Fail every incomplete tree that reached the lost thread; one without init yet fails when it arrives. */
  private failTouching(bit: number): void {
    const tr = this.trees;
    const hit: number[] = [];
    for (let i = 0; i < tr.capacity; i++) if (tr.roots[i] !== 0 && (tr.workers[i]! & bit) !== 0) hit.push(tr.roots[i]!);
    for (const root of hit) {
      const e = tr.find(root);
      if (tr.failed[e] === 0) tr.failed[e] = FAILED_THREAD_LOST;
      this.settle(root, e);
    }
  }
}
