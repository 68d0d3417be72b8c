/**
 * Shuffle under skew, for the load-aware shuffle's latency effect: the rate-limited spout of
 * throughput-vs-latency (complete latency from each tuple's intended emit time) shuffled to a
 * bolt of two tasks on two threads, one of which is slow.
 *
 * The slow task (task index 0, the one on the other thread than the spout) stalls its thread
 * for `bench.slowMs` every `bench.slowEvery` tuples with Atomics.wait: a task held up by
 * synchronous work (a sync call, a co-located busy component, a long GC) whose thread is
 * unavailable without it burning the CPU a shared 2-core machine does not have, so the skew
 * is the same however busy the machine is. `bench.slowMs` 0 makes both tasks equal (the
 * control). The spout's rate (`bench.rate`) is chosen so that half of it exceeds what the
 * slow task can take: a plain shuffle then queues behind it, a load-aware one need not.
 */
import { TopologyBuilder, BaseBolt, type Config, type OutputCollector, type TopologyContext, type Tuple } from '../../src/index.js';
import { RateSpout } from './rate-spout-id-bolt-null-bolt.js';

export class SkewedBolt extends BaseBolt {
  private collector!: OutputCollector;
  private stallMs = 0;
  private every = 1;
  private n = 0;
  private readonly cell = new Int32Array(new SharedArrayBuffer(4));

  prepare(config: Config, context: TopologyContext, collector: OutputCollector): void {
    this.collector = collector;
    if (context.taskIndex === 0) this.stallMs = Number(config['bench.slowMs'] ?? 0);
    this.every = Math.max(1, Number(config['bench.slowEvery'] ?? 10));
  }

  execute(t: Tuple): void {
    // Never notified: waits out the timeout, holding the thread as synchronous work would.
    if (this.stallMs > 0 && ++this.n % this.every === 0) Atomics.wait(this.cell, 0, 0, this.stallMs);
    this.collector.ack(t);
  }
}

const builder = new TopologyBuilder();
builder.setSpout('spout', RateSpout, 1);
builder.setBolt('work', SkewedBolt, 2).shuffleGrouping('spout');
export default builder.build('skewed-shuffle');
