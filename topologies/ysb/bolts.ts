/**
 * The benchmark's pipeline after the input: parse -> keep views -> project (ad_id,
 * event_time) -> join ad -> campaign through Redis with a local cache; bad input goes to the
 * rejects bolt with its reason; the campaign writer is the speed layer's view writer plus the
 * benchmark's own record of when each window was last updated.
 */
import { BaseBolt, type Config, type OutputCollector, type OutputFieldsDeclarer, type TopologyContext, type Tuple } from '../../src/index.js';
import { updateOf, type ViewUpdate } from '../../src/views/index.js';
import { ViewWriterBolt } from '../../src/speed/index.js';
import { RejectsWriter } from '../../src/batch/index.js';
import type { RedisClient } from '../../src/speed/index.js';
import { campaignsView, parseEvent } from './model.js';
import { AD_KEY, RESOURCE, UPDATED_KEY, writeLastUpdates, type YsbThread } from './redis.js';

export const REJECTS = 'rejects';

/** Parse, keep every good event as a fact, pass views on as (ad_id, event_time, id). */
export class ParseBolt extends BaseBolt {
  private collector!: OutputCollector;

  override declareOutputFields(d: OutputFieldsDeclarer): void {
    d.declare(['ad_id', 'event_time', 'id']);
    d.declareStream('facts', ['record']);
    d.declareStream(REJECTS, ['line', 'reason', 'id']);
  }

  prepare(_config: Config, _context: TopologyContext, collector: OutputCollector): void {
    this.collector = collector;
  }

  execute(t: Tuple): void {
    const line = String(t.getValue(0));
    const id = String(t.getValue(1));
    const r = parseEvent(line, id);
    if (!r.ok) this.collector.emit(t, [line, r.reason, id], REJECTS);
    else {
      this.collector.emit(t, [r.event], 'facts');
      if (r.event.event_type === 'view') this.collector.emit(t, [r.event.ad_id, Number(r.event.event_time), id]);
    }
    this.collector.ack(t);
  }
}

/** ad -> campaign through Redis (`GET ysb:ad:<ad>`), cached per thread; an unknown ad is a reject. */
export class JoinBolt extends BaseBolt {
  private collector!: OutputCollector;
  private thread!: YsbThread;
  private redis!: RedisClient;

  override declareOutputFields(d: OutputFieldsDeclarer): void {
    d.declare(['campaign', 'update']);
    d.declareStream(REJECTS, ['line', 'reason', 'id']);
  }

  prepare(config: Config, context: TopologyContext, collector: OutputCollector): void {
    this.collector = collector;
    this.thread = context.getSharedResource<YsbThread>(RESOURCE);
    this.redis = this.thread.redis(config);
  }

  execute(t: Tuple): void | Promise<void> {
    const ad = t.getString(0);
    const cached = this.thread.ads.get(ad);
    if (cached !== undefined) return this.joined(t, ad, cached);
    return this.redis.get(AD_KEY(ad)).then(
      (campaign) => {
        this.thread.ads.set(ad, campaign);
        this.joined(t, ad, campaign);
      },
      (err: unknown) => {
        // Redis down or slow: the event is replayed later, never counted without its campaign.
        this.collector.reportError(new Error(`ad lookup failed for '${ad}': ${(err as Error).message}`));
        this.collector.fail(t);
      },
    );
  }

  private joined(t: Tuple, ad: string, campaign: string | null): void {
    const time = t.getValue(1) as number;
    const id = t.getString(2);
    if (campaign === null) {
      this.collector.emit(t, [JSON.stringify({ ad_id: ad, event_time: String(time) }), `unknown ad_id '${ad}' (not in the ad -> campaign table)`, id], REJECTS);
    } else {
      this.collector.emit(t, [campaign, updateOf(campaignsView, { campaign, time, id }, id)]);
    }
    this.collector.ack(t);
  }
}

/** Every rejected event, with its reason, in the rejects file; its `executed` count is the number rejected. */
export class RejectsBolt extends BaseBolt {
  private collector!: OutputCollector;
  private writer!: RejectsWriter;

  prepare(config: Config, _context: TopologyContext, collector: OutputCollector): void {
    this.collector = collector;
    this.writer = new RejectsWriter(typeof config['rejects'] === 'string' ? config['rejects'] : '.topo/rejects/ysb.jsonl');
  }

  execute(t: Tuple): void {
    const id = t.getString(2);
    // The id says where the event came from: `gen:<n>`, `<file>:<line>` (topo produce), or a stream entry id.
    const m = /^(.*):(\d+)$/.exec(id);
    this.writer.write({ line: t.getString(0), lineNumber: m ? Number(m[2]) : 0, reason: t.getString(1), source: m ? m[1]! : id });
    this.collector.ack(t);
  }

  override cleanup(): void {
    this.writer.close();
  }
}

/**
 * The view writer, plus the benchmark's `time_updated`: a task hook sees each input acked,
 * which the writer does only after the flush holding its update is in Redis, and notes the
 * time per (campaign, window); once a second those times go to the hash
 * `ysb:updated:<topology>` (field `<campaign>:<window start ms>`). The writer itself keeps
 * no such time (only counts), hence the hook.
 */
export class CampaignWriter extends ViewWriterBolt {
  private readonly times = new Map<string, number>();
  private redis: RedisClient | null = null;
  private key = '';
  private lastWrite = 0;
  private writing: Promise<void> | null = null;
  private reporter: OutputCollector | null = null;

  constructor() {
    super({ views: [campaignsView] });
  }

  override async prepare(config: Config, context: TopologyContext, collector: OutputCollector): Promise<void> {
    this.reporter = collector;
    this.redis = context.getSharedResource<YsbThread>(RESOURCE).redis(config);
    this.key = UPDATED_KEY(context.topologyName);
    context.addTaskHook({
      boltAck: ({ tuple }) => {
        if (tuple.isTick()) return;
        const u = tuple.getValueByField('update') as ViewUpdate;
        this.times.set(`${u.key}:${u.bucket}`, Date.now());
      },
    });
    await super.prepare(config, context, collector);
  }

  override execute(t: Tuple): void | Promise<void> {
    if (t.isTick() && Date.now() - this.lastWrite >= 1000) void this.writeTimes();
    return super.execute(t);
  }

  private writeTimes(): Promise<void> {
    if (this.writing !== null || this.redis === null) return this.writing ?? Promise.resolve();
    this.lastWrite = Date.now();
    const batch = new Map(this.times);
    this.times.clear();
    this.writing = writeLastUpdates(this.redis, this.key, batch)
      .catch((err: unknown) => {
        // Kept for the next second's write (a later time of the same window wins anyway).
        for (const [k, v] of batch) if (!this.times.has(k)) this.times.set(k, v);
        this.reporter?.reportError(new Error(`last-update times not written: ${(err as Error).message}`));
      })
      .finally(() => (this.writing = null));
    return this.writing;
  }

  override async finish(): Promise<void> {
    await super.finish();
    await this.writing;
    await this.writeTimes();
  }
}
