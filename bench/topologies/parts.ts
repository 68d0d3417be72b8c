/**
 * The small reusable components the storm-perf style topologies are built from, after
 * Storm's storm-perf: ConstSpout (one constant tuple, over and over), IdBolt (re-emits its
 * input anchored, then acks) and DevNullBolt (acks and drops).
 *
 * How long a spout runs comes from the run's config (`-c` layer), never from code:
 *   bench.durationMs  stop emitting this long after the first nextTuple (0 = no limit)
 *   bench.count       stop emitting after this many tuples (0 = no limit)
 * A stopped spout reports itself exhausted, so the run completes once every tree is done.
 * Message ids are attached only when acking is on (`ackers` > 0), as Storm's ConstSpout
 * does with acking enabled; with acking off the tuples are fire-and-forget.
 */
import { availableParallelism } from 'node:os';
import {
  BaseBolt, BaseSpout,
  type Config, type OutputCollector, type OutputFieldsDeclarer, type SpoutOutputCollector, type Tuple,
} from '../../src/index.js';

/**
 * Tasks per bolt component: one per core. The scheduler puts spout tasks on threads from the
 * first and bolt tasks round-robin after them, so with N worker threads every thread hosts
 * one task of each component (and shuffle sends (N-1)/N of the tuples across threads); with 1
 * worker they all share the one thread.
 */
export const BOLT_TASKS = availableParallelism();

/**
 * Spout tasks: one per core too, as a Storm user adding workers adds spout executors (Storm's
 * storm-perf topologies take a spout count for this). With N worker threads every thread
 * then emits, roots and acks its own trees (each spout task uses the acker on its thread),
 * instead of one thread feeding all the others.
 */
export const SPOUT_TASKS = availableParallelism();

/** Stop condition read from config; shared by every bench spout. */
export class SpoutBudget {
  readonly durationMs: number;
  readonly count: number;
  private deadline = 0;
  private emitted = 0;
  private stopped = false;

  constructor(config: Config) {
    this.durationMs = Number(config['bench.durationMs'] ?? 0);
    this.count = Number(config['bench.count'] ?? 0);
    if (this.durationMs <= 0 && this.count <= 0) {
      throw new Error('bench spout: set bench.durationMs or bench.count in the config, or it never ends');
    }
  }

  /** True while the spout may emit one more tuple; counts that tuple. */
  take(): boolean {
    if (this.stopped) return false;
    if (this.deadline === 0 && this.durationMs > 0) this.deadline = performance.now() + this.durationMs;
    // performance.now() every 64 tuples: cheap enough, and 64 tuples overshoot by microseconds.
    if ((this.emitted & 63) === 0 && this.deadline > 0 && performance.now() >= this.deadline) this.stopped = true;
    if (this.count > 0 && this.emitted >= this.count) this.stopped = true;
    if (this.stopped) return false;
    this.emitted++;
    return true;
  }

  get done(): boolean {
    return this.stopped;
  }
}

/** True when the run tracks trees (the acker count after merging is positive). */
export function ackingOn(config: Config): boolean {
  return Number(config['ackers'] ?? 0) > 0;
}

/** Emits the same one-field tuple until its budget runs out. */
export class ConstSpout extends BaseSpout {
  private collector!: SpoutOutputCollector;
  private budget!: SpoutBudget;
  private tracked = false;
  private seq = 0;
  private readonly values: unknown[];

  constructor(value: unknown = 'some data') {
    super();
    this.values = [value];
  }

  declareOutputFields(d: OutputFieldsDeclarer): void {
    d.declare(['str']);
  }

  open(config: Config, _context: unknown, collector: SpoutOutputCollector): void {
    this.collector = collector;
    this.budget = new SpoutBudget(config);
    this.tracked = ackingOn(config);
  }

  nextTuple(): void {
    if (!this.budget.take()) return;
    if (this.tracked) this.collector.emit(this.values, this.seq++);
    else this.collector.emit(this.values);
  }

  override isExhausted(): boolean {
    return this.budget.done;
  }
}

/** Re-emits each input unchanged, anchored to it, then acks it. */
export class IdBolt extends BaseBolt {
  private collector!: OutputCollector;

  override declareOutputFields(d: OutputFieldsDeclarer): void {
    d.declare(['str']);
  }

  prepare(_config: Config, _context: unknown, collector: OutputCollector): void {
    this.collector = collector;
  }

  execute(t: Tuple): void {
    this.collector.emit(t, t.values as unknown[]);
    this.collector.ack(t);
  }
}

/** Acks and drops everything. */
export class DevNullBolt extends BaseBolt {
  private collector!: OutputCollector;

  prepare(_config: Config, _context: unknown, collector: OutputCollector): void {
    this.collector = collector;
  }

  execute(t: Tuple): void {
    this.collector.ack(t);
  }
}
