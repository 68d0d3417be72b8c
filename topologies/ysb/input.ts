/**
 * The input: the benchmark's generator inside the topology (a rate-limited spout, events
 * rebuilt from their number, so a replay re-emits the same event), or with `-c stream=NAME`
 * a Redis stream read through a consumer group (filled by `topo produce --format ysb`).
 */
import {
  BaseSpout, RedisStreamSpout, chooseSpout,
  type Config, type MessageId, type OutputFieldsDeclarer, type SpoutOutputCollector, type TopologyContext,
} from '../../src/index.js';
import type { RedisClient } from '../../src/speed/index.js';
import { eventLine, setupOf, type GenRun, type Setup } from './gen.mjs';
import { adTableFile } from './setup.mjs';
import { RESOURCE, RUN_KEY, writeRun, writeSetup, type YsbThread } from './redis.js';

const num = (v: unknown, name: string, dflt: number | null): number | null => {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`config '${name}' must be a number >= 0, got ${JSON.stringify(v)}`);
  return n;
};

/**
 * The generator: event n is due at start + n / rate (its event_time), emitted with message id
 * n. With k tasks (`YSB_GENERATORS`, ysb.ts), task i emits n = i, i + k, ...: the same
 * schedule, split, as a Kafka topic's partitions split the original's input.
 */
export class GeneratorSpout extends BaseSpout {
  private collector!: SpoutOutputCollector;
  private redis!: RedisClient;
  private setup!: Setup;
  private run!: GenRun;
  private limit = Infinity;
  private next = 0;
  private tasks = 1;
  private task = 0;
  private readonly inFlight = new Set<number>();
  private readonly replays: number[] = [];
  private lastRecord = 0;
  private runKey = RUN_KEY;

  override declareOutputFields(d: OutputFieldsDeclarer): void {
    d.declare(['line', 'id']);
  }

  async open(config: Config, context: TopologyContext, collector: SpoutOutputCollector): Promise<void> {
    this.tasks = context.getComponentTasks(context.componentId).length;
    this.task = context.taskIndex;
    this.collector = collector;
    const rate = num(config['rate'], 'rate', 10_000)!;
    if (rate <= 0) throw new Error(`config 'rate' must be > 0 events/s, got ${rate}`);
    const seed = num(config['seed'], 'seed', 1)! >>> 0;
    this.limit = num(config['events'], 'events', Infinity)!;
    this.redis = context.getSharedResource<YsbThread>(RESOURCE).redis(config);
    await writeSetup(this.redis, seed, typeof config['ysb.ads'] === 'string' ? config['ysb.ads'] : adTableFile());
    this.setup = setupOf(seed);
    // The schedule's origin is kept per process: a spout whose thread was replaced carries
    // on with the same event times instead of starting a second schedule.
    const given = num(config['start'], 'start', null);
    const own = `${RUN_KEY}:${context.topologyName}:${process.pid}`;
    await this.redis.hsetnx(own, 'start', String(given ?? Date.now()));
    await this.redis.expire(own, 7 * 86_400);
    const start = Number(await this.redis.hget(own, 'start'));
    this.run = { seed, start, rate, skew: config['skew'] === true || config['skew'] === 'true' };
    this.next = Number((await this.redis.hget(own, `next:${this.task}`)) ?? this.task);
    this.runKey = own;
    await this.record();
  }

  /** The run as the check needs it, under the process's key and as the latest run. */
  private async record(): Promise<void> {
    this.lastRecord = Date.now();
    const r = { ...this.run, tasks: this.tasks, task: this.task, next: this.next };
    await Promise.all([writeRun(this.redis, r, this.runKey), writeRun(this.redis, r)]);
  }

  nextTuple(): void {
    const now = Date.now();
    if (now - this.lastRecord >= 1000) this.record().catch((err: unknown) => this.collector.reportError(err as Error));
    const replay = this.replays.pop();
    if (replay !== undefined) {
      this.emit(replay);
      return;
    }
    if (this.next >= this.limit) return;
    if (this.run.start + Math.floor((this.next * 1000) / this.run.rate) > now) return;
    this.emit(this.next);
    this.next += this.tasks;
  }

  private emit(n: number): void {
    this.inFlight.add(n);
    this.collector.emit([eventLine(this.setup, this.run, n), `gen:${n}`], n);
  }

  override ack(id: MessageId): void {
    this.inFlight.delete(id as number);
  }

  override fail(id: MessageId): void {
    if (this.inFlight.has(id as number)) this.replays.push(id as number);
  }

  override isExhausted(): boolean {
    return this.next >= this.limit && this.replays.length === 0 && this.inFlight.size === 0;
  }

  override async close(): Promise<void> {
    await this.record().catch(() => undefined);
  }
}

/** The generator, or with `-c stream=NAME` the stream spout. Chosen in `open`, where the config is known. */
export const YsbInput = chooseSpout(['line', 'id'], (config) =>
  typeof config['stream'] === 'string' ? new RedisStreamSpout({ outputFields: ['line', 'id'] }) : new GeneratorSpout());
