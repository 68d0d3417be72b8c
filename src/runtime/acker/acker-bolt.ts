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

interface TreeEntry {
  hi: number;
  lo: number;
  /** Spout task to notify; -1 until the init arrives (acks can overtake it). */
  spoutTask: number;
  failed: boolean;
  /** Worker threads the tree's tuples were sent to (bit per thread). */
  workers: number;
  /** Tick generation of the last init or reset: the entry expires three ticks later. */
  gen: number;
}

/** Ticks come every T/2, so an entry last touched 3 ticks ago is between T and 1.5 T old. */
const EXPIRY_TICKS = 3;

export class AckerBolt implements Bolt {
  // One Map with a generation per entry rather than Storm's three rotating maps: one lookup
  // per message instead of up to three; expiry sweeps the map once per tick (every T/2).
  private readonly trees = new Map<number, TreeEntry>();
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
      const dead = ++this.generation - EXPIRY_TICKS;
      for (const [root, e] of this.trees) if (e.gen <= dead) this.trees.delete(root);
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
      e = { hi: 0, lo: 0, spoutTask: -1, failed: false, workers: 0, gen: this.generation };
      this.trees.set(root, e);
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
        e.gen = this.generation;
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
      this.trees.delete(root);
      this.collector.emitDirect(e.spoutTask, null, [root], ACK_FAIL_STREAM);
    } else if (e.hi === 0 && e.lo === 0) {
      this.trees.delete(root);
      this.collector.emitDirect(e.spoutTask, null, [root], ACK_ACK_STREAM);
    }
  }

  /** Fail every incomplete tree that reached the lost thread; one without init yet fails when it arrives. */
  private failTouching(bit: number): void {
    const hit: Array<[number, TreeEntry]> = [];
    for (const [root, e] of this.trees) if ((e.workers & bit) !== 0) hit.push([root, e]);
    for (const [root, e] of hit) {
      e.failed = true;
      this.settle(root, e);
    }
  }
}
