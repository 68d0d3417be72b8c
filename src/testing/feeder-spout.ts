/**
 * A spout a test pushes tuples into (Storm's FeederSpout). It lives in the test's own
 * memory, so it only works when the topology runs in the calling thread
 * (`runTopology(topology)` with a Topology object, or `completeTopology`).
 */
import type { Config, MessageId, Spout } from '../api/components.js';
import type { SpoutOutputCollector } from '../api/collectors.js';
import type { TopologyContext } from '../api/context.js';
import type { OutputFieldsDeclarer } from '../api/declarer.js';
import { DEFAULT_STREAM } from '../api/tuple.js';
import { AckFailTracker } from './ack-fail-tracker.js';

interface Fed {
  readonly values: unknown[];
  readonly msgId: MessageId | undefined;
}

/**
 * Tuples fed by a test, emitted on one stream. All tasks created from one feeder's
 * {@link FeederSpout.factory} share its queue, so each fed tuple is emitted exactly once
 * whatever the spout's parallelism. Acks and fails are recorded per message id;
 * failed tuples are not replayed (feed them again to replay).
 *
 * @example
 * const feeder = new FeederSpout(['word']);
 * builder.setSpout('words', feeder.factory());
 * const handle = await runTopology(builder.build('t'));
 * feeder.feed(['cat'], 1);
 * await feeder.waitFor((t) => t.isAcked(1), 1000);
 */
export class FeederSpout extends AckFailTracker {
  private readonly queue: Fed[] = [];
  private head = 0;
  private finished = false;
  private readonly fields: readonly string[];

  /**
   * @param fields the fields of the emitted stream
   * @param stream the stream id (default "default")
   */
  constructor(fields: readonly string[], readonly stream: string = DEFAULT_STREAM) {
    super();
    if (!Array.isArray(fields) || fields.length === 0) throw new Error('FeederSpout needs a non-empty list of fields');
    this.fields = [...fields];
  }

  /** Queue one tuple. With a `msgId` its tree is tracked and its ack or fail recorded. */
  feed(values: unknown[], msgId?: MessageId): void {
    if (this.finished) throw new Error('FeederSpout.feed called after finish()');
    if (!Array.isArray(values) || values.length !== this.fields.length) {
      throw new Error(
        `FeederSpout.feed: expected ${this.fields.length} value(s) (${this.fields.join(', ')}), got ${JSON.stringify(values)}`,
      );
    }
    this.queue.push({ values, msgId });
  }

  /** Queue several tuples, each without a message id (untracked). */
  feedAll(rows: readonly unknown[][]): void {
    for (const row of rows) this.feed(row);
  }

  /** No more tuples will be fed: the spout reports itself exhausted once its queue is drained. */
  finish(): void {
    this.finished = true;
  }

  /** Tuples fed but not emitted yet. */
  get queued(): number {
    return this.queue.length - this.head;
  }

  /** A component factory for `builder.setSpout`; every task it creates shares this feeder. */
  factory(): () => Spout {
    return () => new FeederTask(this);
  }

  /** @internal The next fed tuple, if any (called by the spout tasks). */
  take(): Fed | undefined {
    if (this.head === this.queue.length) return undefined;
    const fed = this.queue[this.head++]!;
    // Drop the consumed prefix now and then, so a long-running feeder does not grow forever.
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    return fed;
  }

  /** @internal True once finished and drained. */
  get exhausted(): boolean {
    return this.finished && this.head === this.queue.length;
  }

  /** @internal The declared fields, for the spout tasks. */
  get outputFields(): readonly string[] {
    return this.fields;
  }
}

/** One spout task reading from a shared feeder. */
class FeederTask implements Spout {
  private collector!: SpoutOutputCollector;

  constructor(private readonly feeder: FeederSpout) {}

  declareOutputFields(d: OutputFieldsDeclarer): void {
    d.declareStream(this.feeder.stream, this.feeder.outputFields);
  }

  open(_config: Config, _context: TopologyContext, collector: SpoutOutputCollector): void {
    this.collector = collector;
  }

  nextTuple(): void {
    const fed = this.feeder.take();
    if (fed !== undefined) this.collector.emit(fed.values, fed.msgId, this.feeder.stream);
  }

  ack(msgId: MessageId): void {
    this.feeder.recordAck(msgId);
  }

  fail(msgId: MessageId): void {
    this.feeder.recordFail(msgId);
  }

  isExhausted(): boolean {
    return this.feeder.exhausted;
  }
}
