/**
 * The pageviews pipeline's bolts. `ParseBolt` turns raw lines into keyed pageviews (or
 * rejects them, with line number and reason, to a file); `VisitorBolt` sees all of one
 * visitor's pageviews (fields grouping on `visitor`), drops exact duplicates, emits the
 * pageviews/uniques updates anchored to the pageview, and sessionizes for bounce rate.
 */
import { basename } from 'node:path';
import type { Config, OutputCollector, OutputFieldsDeclarer, TopologyContext, Tuple } from '../../src/index.js';
import { bucketOf, type ViewUpdate } from '../../src/views/index.js';
import { DEFAULT_LOG_HOST, pageKeysOf } from './event.js';
import { parseApacheLine } from './parse-apache.js';
import { parseJsonLine } from './parse-jsonl.js';
import { RejectsWriter } from '../../src/batch/index.js';
import { recordOf } from './dataset.js';
import { DedupeWindow, dedupeKey } from './dedupe.js';
import { Sessionizer, type Visit } from './sessions.js';
import { bouncesView, pageviewsView, uniquesView } from './views.js';

const PAGEVIEWS = pageviewsView.name;
const UNIQUES = uniquesView.name;

/** Input format from `-c format=apache|jsonl`, else the file extension (.jsonl/.json -> jsonl). */
export function formatOf(config: Config, input: string): 'apache' | 'jsonl' {
  const f = config['format'];
  if (f === 'apache' || f === 'jsonl') return f;
  if (f !== undefined) throw new Error(`config 'format' must be apache or jsonl, got ${JSON.stringify(f)}`);
  return /\.jsonl?$/i.test(input) ? 'jsonl' : 'apache';
}

export class ParseBolt {
  private collector!: OutputCollector;
  private rejects!: RejectsWriter;
  private format: 'apache' | 'jsonl' = 'apache';
  private host = DEFAULT_LOG_HOST;
  private source = '';
  private rejected = 0;

  constructor(private readonly inputOf: (config: Config) => string) {}

  declareOutputFields(d: OutputFieldsDeclarer): void {
    d.declare(['visitor', 'url', 'domain', 'ts', 'id']);
    d.declareStream('rejected', ['count', 'path']);
    // Every parsed fact, raw, for the master dataset (a fix to the normaliser is then a recompute).
    d.declareStream('facts', ['record']);
  }

  prepare(config: Config, _context: TopologyContext, collector: OutputCollector): void {
    this.collector = collector;
    const input = this.inputOf(config);
    this.format = formatOf(config, input);
    this.host = typeof config['host'] === 'string' ? config['host'] : DEFAULT_LOG_HOST;
    this.source = basename(input);
    const path = typeof config['rejects'] === 'string' ? config['rejects'] : `.topo/rejects/${config['topology.name'] ?? 'pageviews'}.jsonl`;
    this.rejects = new RejectsWriter(path);
  }

  execute(t: Tuple): void {
    const line = t.getString(0);
    const lineNumber = t.getValue(1) as number;
    const id = `${this.source}:${lineNumber}`;
    const r = this.format === 'jsonl' ? parseJsonLine(line, { id }) : parseApacheLine(line, { id, host: this.host });
    if (r.ok) this.collector.emit(t, [recordOf(r.event)], 'facts');
    const keys = r.ok ? pageKeysOf(r.event) : null;
    if (keys === null) {
      // Written whole before the ack: a rejected line is never lost, only set aside.
      this.rejects.write({ line, lineNumber, reason: r.ok ? `URL does not normalise: ${r.event.url}` : r.reason, source: this.source });
      this.rejected++;
    } else {
      this.collector.emit(t, [keys.visitor, keys.url, keys.domain, keys.ts, id]);
    }
    this.collector.ack(t);
  }

  finish(): void {
    this.collector.emit(null, [this.rejected, this.rejects.path], 'rejected');
  }

  cleanup(): void {
    this.rejects.close();
  }
}

export class VisitorBolt {
  private collector!: OutputCollector;
  private dedupe!: DedupeWindow;
  private sessions!: Sessionizer;
  duplicates = 0;

  declareOutputFields(d: OutputFieldsDeclarer): void {
    // One tuple per pageview carrying both its updates (pageviews and uniques): half the
    // tuples, anchors and acks of one tuple per update. The writer takes an array here.
    d.declare(['updates']);
  }

  prepare(config: Config, _context: TopologyContext, collector: OutputCollector): void {
    this.collector = collector;
    const lateness = Number(config['allowedLatenessMs'] ?? bouncesView.allowedLatenessMs);
    this.dedupe = new DedupeWindow({ windowMs: Number(config['dedupeWindowMs'] ?? 5 * 60_000) });
    this.sessions = new Sessionizer({ latenessMs: lateness });
  }

  execute(t: Tuple): void {
    if (t.isTick()) {
      this.emitVisits(this.sessions.advance(this.sessions.eventTime));
      return;
    }
    const visitor = t.getString(0);
    const url = t.getString(1);
    const domain = t.getString(2);
    const ts = t.getValue(3) as number;
    const id = t.getString(4);
    const key = dedupeKey(visitor, url, ts);
    // The window remembers the id counted under each key: the same key with the same id is
    // not a duplicate but a replay of that event (its tree failed downstream, e.g. before its
    // write): its updates go out again, or it would never be written.
    const verdict = this.dedupe.checkKey(key, ts, id);
    if (verdict === 'duplicate' && this.dedupe.idOf(key) !== id) {
      this.duplicates++;
      this.collector.ack(t);
      return;
    }
    // The updates carry the fact's identity (the dedupe key: visitor, normalised URL, ts), not
    // the line's id: the writer's exactly-once id set then counts a fact once however it comes
    // back, a replay of a dropped copy a day of event time later, after this window forgot
    // the counted one, or the same request logged on another line or in another process. The
    // line id above only tells a replay from a duplicate inside the window. The key is built
    // anyway, so this costs no allocation. Literal objects of one shape each (no spreads).
    const pv: ViewUpdate = { view: PAGEVIEWS, key: url, bucket: bucketOf(pageviewsView, ts), time: ts, id: key, n: 1 };
    const uv: ViewUpdate = { view: UNIQUES, key: url, bucket: bucketOf(uniquesView, ts), time: ts, id: key, member: visitor };
    this.collector.emit(t, [[pv, uv]]);
    // A replay is in the sessions already (this task's memory saw it the first time).
    if (verdict !== 'duplicate') this.sessions.add({ visitor, domain, ts });
    this.collector.ack(t);
  }

  /**
   * Visits close long after their pageviews were acked, so their updates are not anchored:
   * the realtime bounce rate is best effort across thread loss; the batch layer is exact.
   * Each visit's id is its (visitor, domain, first pageview time), the same whichever task or
   * process closes it, so the bounces view can be exactly-once (`-c exactlyOnce=true`): a visit
   * emitted twice counts once (the first emission wins).
   */
  private emitVisits(visits: Visit[]): void {
    for (const v of visits) {
      const u: ViewUpdate = {
        view: bouncesView.name, key: v.domain, bucket: bucketOf(bouncesView, v.firstTs), time: v.firstTs,
        fields: { visits: 1, bounces: v.count === 1 ? 1 : 0 }, id: `visit:${v.visitor}:${v.domain}:${v.firstTs}`,
      };
      this.collector.emit(null, [[u]]);
    }
  }

  finish(): void {
    this.emitVisits(this.sessions.closeAll());
  }
}
