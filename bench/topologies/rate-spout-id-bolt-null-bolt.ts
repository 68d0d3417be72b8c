/**
 * const-spout-id-bolt-null-bolt with a rate-limited spout, for throughput vs latency.
 *
 * Coordinated omission: a spout that emits "when it gets round to it" hides the time a
 * stalled pipeline kept tuples from being emitted at all. So tuple i has an *intended*
 * emit time on a fixed schedule, t0 + i / rate, and the spout emits every tuple whose time
 * has come (a burst when it fell behind, e.g. while throttled by maxSpoutPending or after
 * the runtime's 1 ms idle sleep). The message id is i, so when the tree completes `ack(i)`
 * recomputes the intended time and records now - intended: complete latency measured from
 * when the tuple should have left, on the spout's own thread and clock (no cross-thread
 * clock arithmetic, nothing extra in the tuple). The runtime's own complete latency
 * (from the actual emit) is kept alongside for comparison.
 *
 * Two histograms: every tuple, and the steady state (tuples whose intended time is past a
 * warm-up of min(1 s, 20% of the run): thread start-up, JIT tiers and the first GCs). Both
 * are from the intended time; the warm-up is excluded from the steady figures only, and
 * reported in the whole-run ones, so a start-up stall is visible without dominating p99.
 *
 * One spout task per core (SPOUT_TASKS, as the const-spout topologies), each emitting
 * bench.rate / tasks on its own schedule, so the offered load is bench.rate in all.
 *
 * Config (`-c` layer): bench.rate (tuples/s, all tasks together), bench.durationMs or
 * bench.count (parts.ts), bench.warmupMs (default min(1000, durationMs / 5)),
 * bench.latencyOut (a path prefix: task i's `close()` writes `<prefix>-<i>.json`, with its
 * histograms, which `mergeRateReports` adds up).
 */
import { writeFileSync } from 'node:fs';
import * as hdr from 'hdr-histogram-js';
import {
  BaseSpout, TopologyBuilder,
  type Config, type MessageId, type OutputFieldsDeclarer, type SpoutOutputCollector, type TopologyContext,
} from '../../src/index.js';
import { BOLT_TASKS, DevNullBolt, IdBolt, SPOUT_TASKS, SpoutBudget } from './parts.js';

/** What one spout task writes: its counts and its two histograms (hdr, compressed base64). */
export interface RateTaskReport {
  rate: number;
  emitted: number;
  acked: number;
  failed: number;
  warmupMs: number;
  maxLagMs: number;
  steady: string;
  all: string;
}

export interface RateSpoutReport {
  rate: number;
  emitted: number;
  acked: number;
  failed: number;
  /** Microseconds from intended emit time to ack, as hdr percentiles, after the warm-up. */
  p50us: number;
  p99us: number;
  p999us: number;
  maxus: number;
  /** Tuples in the steady-state figures, and the warm-up excluded from them (ms). */
  steadySamples: number;
  warmupMs: number;
  /** The same over every tuple, warm-up included. */
  all: { p50us: number; p99us: number; p999us: number; maxus: number; samples: number };
  /** How far behind schedule the spout ever was when it emitted, ms. */
  maxLagMs: number;
}

function newHistogram(): hdr.Histogram {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3 });
}

export class RateSpout extends BaseSpout {
  private collector!: SpoutOutputCollector;
  private budget!: SpoutBudget;
  private periodMs = 0;
  private t0 = -1;
  private next = 0;
  private acked = 0;
  private failed = 0;
  private maxLagMs = 0;
  private out: string | null = null;
  private readonly histogram = newHistogram();
  private readonly steady = newHistogram();
  private warmupMs = 0;
  private readonly values = ['some data'];

  declareOutputFields(d: OutputFieldsDeclarer): void {
    d.declare(['str']);
  }

  open(config: Config, context: TopologyContext, collector: SpoutOutputCollector): void {
    this.collector = collector;
    this.budget = new SpoutBudget(config);
    const rate = Number(config['bench.rate'] ?? 0) / context.getComponentTasks(context.componentId).length;
    if (!(rate > 0)) throw new Error('RateSpout: bench.rate (tuples/s) must be positive');
    if (!(Number(config['ackers'] ?? 0) > 0)) throw new Error('RateSpout measures complete latency: it needs acking on');
    this.periodMs = 1000 / rate;
    this.out = typeof config['bench.latencyOut'] === 'string' ? `${config['bench.latencyOut']}-${context.taskIndex}.json` : null;
    const duration = Number(config['bench.durationMs'] ?? 0);
    this.warmupMs = Number(config['bench.warmupMs'] ?? (duration > 0 ? Math.min(1000, duration / 5) : 1000));
  }

  private intended(i: number): number {
    return this.t0 + i * this.periodMs;
  }

  nextTuple(): void {
    const now = performance.now();
    if (this.t0 < 0) this.t0 = now;
    const due = this.intended(this.next);
    if (now < due || !this.budget.take()) return;
    this.maxLagMs = Math.max(this.maxLagMs, now - due);
    this.collector.emit(this.values, this.next++);
  }

  override isExhausted(): boolean {
    return this.budget.done;
  }

  override ack(msgId: MessageId): void {
    this.acked++;
    const us = Math.max(1, Math.round((performance.now() - this.intended(msgId as number)) * 1000));
    this.histogram.recordValue(us);
    if ((msgId as number) * this.periodMs >= this.warmupMs) this.steady.recordValue(us);
  }

  override fail(_msgId: MessageId): void {
    this.failed++;
  }

  override close(): void {
    if (this.out === null) return;
    const report: RateTaskReport = {
      rate: 1000 / this.periodMs, emitted: this.next, acked: this.acked, failed: this.failed,
      warmupMs: this.warmupMs, maxLagMs: this.maxLagMs,
      steady: hdr.encodeIntoCompressedBase64(this.steady), all: hdr.encodeIntoCompressedBase64(this.histogram),
    };
    writeFileSync(this.out, `${JSON.stringify(report)}\n`);
  }
}

/** The tasks' reports as one: counts and rates summed, histograms added, lags and warm-ups the largest. */
export function mergeRateReports(tasks: readonly RateTaskReport[]): RateSpoutReport {
  const steady = newHistogram();
  const all = newHistogram();
  for (const t of tasks) {
    steady.add(hdr.decodeFromCompressedBase64(t.steady));
    all.add(hdr.decodeFromCompressedBase64(t.all));
  }
  const sum = (f: (t: RateTaskReport) => number): number => tasks.reduce((a, t) => a + f(t), 0);
  return {
    rate: sum((t) => t.rate), emitted: sum((t) => t.emitted), acked: sum((t) => t.acked), failed: sum((t) => t.failed),
    p50us: steady.getValueAtPercentile(50), p99us: steady.getValueAtPercentile(99), p999us: steady.getValueAtPercentile(99.9),
    maxus: steady.maxValue, steadySamples: steady.totalCount, warmupMs: Math.max(...tasks.map((t) => t.warmupMs)),
    all: { p50us: all.getValueAtPercentile(50), p99us: all.getValueAtPercentile(99), p999us: all.getValueAtPercentile(99.9), maxus: all.maxValue, samples: all.totalCount },
    maxLagMs: Math.max(...tasks.map((t) => t.maxLagMs)),
  };
}

const builder = new TopologyBuilder();
builder.setSpout('spout', RateSpout, SPOUT_TASKS);
builder.setBolt('id', IdBolt, BOLT_TASKS).shuffleGrouping('spout');
builder.setBolt('sink', DevNullBolt, BOLT_TASKS).shuffleGrouping('id');
export default builder.build('rate-spout-id-bolt-null-bolt');
