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
import { ACK_ACK_STREAM, ACK_FAIL_STREAM, ACK_INIT_STREAM, ACK_RESET_STREAM, WORKER_LOST_STREAM } from '../../topology/plan.js';
import { RotatingMap } from './rotating-map.js';

interface TreeEntry {
  hi: number;
  lo: number;
  /** Spout task to notify; -1 until the init arrives (acks can overtake it). */
  spoutTask: number;
  failed: boolean;
  /** Worker threads the tree's tuples were sent to (bit per thread). */
  workers: number;
}

export class AckerBolt implements Bolt {
  private readonly trees = new RotatingMap<number, TreeEntry>(3);
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
      this.trees.rotate();
      return;
    }
    if (t.sourceStreamId === WORKER_LOST_STREAM) {
      this.failTouching(1 << ((t.values[0] as number) % 31));
      return;
    }
    const v = t.values;
    const root = v[0] as number;
    let e = this.trees.get(root);
    if (e === undefined) {
      e = { hi: 0, lo: 0, spoutTask: -1, failed: false, workers: 0 };
      this.trees.putNew(root, e);
    }
    switch (t.sourceStreamId) {
      case ACK_INIT_STREAM:
        e.hi ^= v[1] as number;
        e.lo ^= v[2] as number;
        e.spoutTask = v[3] as number;
        e.workers |= v[4] as number;
        break;
      case ACK_ACK_STREAM:
        e.hi ^= v[1] as number;
        e.lo ^= v[2] as number;
        e.workers |= v[3] as number;
        break;
      case ACK_FAIL_STREAM:
        e.failed = true;
        break;
      case ACK_RESET_STREAM:
        this.trees.touch(root);
        if (e.spoutTask >= 0) this.collector.emitDirect(e.spoutTask, null, [root], ACK_RESET_STREAM);
        return;
      default:
        return;
    }
    this.settle(root, e);
  }

  private settle(root: number, e: TreeEntry): void {
    if (e.spoutTask < 0) return;
    if (e.failed) {
      this.trees.remove(root);
      this.collector.emitDirect(e.spoutTask, null, [root], ACK_FAIL_STREAM);
    } else if (e.hi === 0 && e.lo === 0) {
      this.trees.remove(root);
      this.collector.emitDirect(e.spoutTask, null, [root], ACK_ACK_STREAM);
    }
  }

  /** Fail every incomplete tree that reached the lost thread; one without init yet fails when it arrives. */
  private failTouching(bit: number): void {
    const hit: Array<[number, TreeEntry]> = [];
    this.trees.forEach((root, e) => {
      if ((e.workers & bit) !== 0) hit.push([root, e]);
    });
    for (const [root, e] of hit) {
      e.failed = true;
      this.settle(root, e);
    }
  }
}
