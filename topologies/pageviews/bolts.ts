/**
 * The pageviews pipeline's bolts. `ParseBolt` turns raw lines into keyed pageviews (or
 * rejects them, with line number and reason, to a file); `VisitorBolt` sees all of one
 * visitor's pageviews (fields grouping on `visitor`), drops exact duplicates, emits the
 * pageviews/uniques updates anchored to the pageview, and sessionizes for bounce rate.
 */
import { basename } from 'node:path';
import type { Config, KeyValueState, OutputCollector, OutputFieldsDeclarer, StatefulBolt, StatefulOutputCollector, TopologyContext, Tuple } from '../../src/index.js';
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

/** The sessions' event time and tick count in the state, beside one key per (visitor, domain) with open visits. */
const CLOCK_KEY = 'clock';
const TICKS_KEY = 'ticks';
const sessionKey = (visitor: string, domain: string): string => `v\u0000${visitor}\u0000${domain}`;
/**
 * The visits closed on one tick, kept to be emitted again after a restart (their first
 * emission may have died with the thread): one state key per tick, not per visit, so a
 * checkpoint writes one field for them and drops it with one deletion (a key per visit was a
 * field written and later deleted per visit). Each entry: visitor, domain, first and last
 * pageview time, pageviews. (`c <visitor> <domain> <firstTs>` -> [lastTs, count, tick] is the
 * previous shape, still read.)
 */
const closedKey = (tick: number): string => `C\u0000${tick}`;
type ClosedVisit = [visitor: string, domain: string, firstTs: number, lastTs: number, count: number];
/** Ticks a closed visit is kept: its update is written within a few writer flushes. */
const KEEP_CLOSED_TICKS = 60;

/**
 * A stateful bolt (`stateful(VisitorBolt, { idField: 'id' })`, see docs/state.md): the open
 * visits are checkpointed, so a thread that dies resumes its sessions from the last
 * checkpoint and the pageviews not yet acked replay into them once.
 */
export class VisitorBolt implements StatefulBolt {
  private state!: KeyValueState;
  private dedupe!: DedupeWindow;
  private sessions!: Sessionizer;
  private ticks = 0;
  /** Closed visits in the state, oldest first, with the tick that closed them. */
  private closed: Array<{ key: string; tick: number }> = [];
  /** After a restart: the closed visits to emit again on the first tick. */
  private again: Visit[] = [];
  duplicates = 0;

  declareOutputFields(d: OutputFieldsDeclarer): void {
    // One tuple per pageview carrying both its updates (pageviews and uniques): half the
    // tuples, anchors and acks of one tuple per update. The writer takes an array here.
    d.declare(['updates']);
  }

  prepare(config: Config): void {
    const lateness = Number(config['allowedLatenessMs'] ?? bouncesView.allowedLatenessMs);
    this.dedupe = new DedupeWindow({ windowMs: Number(config['dedupeWindowMs'] ?? 5 * 60_000) });
    this.sessions = new Sessionizer({ latenessMs: lateness });
  }

  initState(state: KeyValueState): void {
    this.state = state;
    const clock = state.get<number>(CLOCK_KEY, -Infinity);
    this.sessions.restore('', '', [], clock);
    this.ticks = state.get<number>(TICKS_KEY, 0);
    for (const k of state.keys()) {
      const [kind, visitor, domain] = k.split('\u0000');
      if (kind === 'v') this.sessions.restore(visitor!, domain!, state.get<Array<[number, number, number]>>(k, []), clock);
      if (kind === 'C') {
        for (const [visitor, domain, firstTs, lastTs, count] of state.get<ClosedVisit[]>(k, [])) this.again.push({ visitor, domain, firstTs, lastTs, count });
        this.closed.push({ key: k, tick: Number(visitor) });
      }
      if (kind !== 'c') continue;
      const [lastTs, count, tick] = state.get<[number, number, number]>(k)!;
      this.again.push({ visitor: visitor!, domain: domain!, firstTs: Number(k.split('\u0000')[3]), lastTs, count });
      this.closed.push({ key: k, tick });
    }
    this.closed.sort((a, b) => a.tick - b.tick);
  }

  onTick(c: StatefulOutputCollector): void {
    // Visits closed shortly before a restart: their updates may have died with the thread
    // before the writer had them. Emitted again; the bounces view counts a visit id once
    // when exactly-once (`-c exactlyOnce=true`), else they may count twice.
    for (const v of this.again.splice(0)) this.emitVisit(c, v);
    this.state.put(TICKS_KEY, ++this.ticks);
    while (this.closed.length > 0 && this.closed[0]!.tick < this.ticks - KEEP_CLOSED_TICKS) this.state.delete(this.closed.shift()!.key);
    this.emitVisits(c, this.sessions.advance(this.sessions.eventTime));
    if (Number.isFinite(this.sessions.eventTime)) this.state.put(CLOCK_KEY, this.sessions.eventTime);
  }

  execute(t: Tuple, c: StatefulOutputCollector): void {
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
      return;
    }
    this.emitUpdates(c, key, url, visitor, ts);
    // A replay is in the sessions already (this task's memory saw it the first time).
    if (verdict === 'duplicate') return;
    this.sessions.add({ visitor, domain, ts });
    this.save(visitor, domain);
  }

  /** A replay of a pageview the checkpointed sessions hold: its updates again, nothing else. */
  replayed(t: Tuple, c: StatefulOutputCollector): void {
    const visitor = t.getString(0);
    const url = t.getString(1);
    const ts = t.getValue(3) as number;
    this.emitUpdates(c, dedupeKey(visitor, url, ts), url, visitor, ts);
  }

  /**
   * The updates carry the fact's identity (the dedupe key: visitor, normalised URL, ts), not
   * the line's id: the writer's exactly-once id set then counts a fact once however it comes
   * back, a replay of a dropped copy a day of event time later, after this window forgot
   * the counted one, or the same request logged on another line or in another process. The
   * line id only tells a replay from a duplicate inside the window. Literal objects of one
   * shape each (no spreads).
   */
  private emitUpdates(c: StatefulOutputCollector, key: string, url: string, visitor: string, ts: number): void {
    const pv: ViewUpdate = { view: PAGEVIEWS, key: url, bucket: bucketOf(pageviewsView, ts), time: ts, id: key, n: 1 };
    const uv: ViewUpdate = { view: UNIQUES, key: url, bucket: bucketOf(uniquesView, ts), time: ts, id: key, member: visitor };
    c.emit([[pv, uv]]);
  }

  private save(visitor: string, domain: string): void {
    const open = this.sessions.openOf(visitor, domain);
    if (open.length === 0) this.state.delete(sessionKey(visitor, domain));
    else this.state.put(sessionKey(visitor, domain), open);
  }

  /**
   * Visits close long after their pageviews were acked, so their updates are not anchored;
   * a visit closed in a checkpoint that did not commit is closed (and emitted) again after a
   * restart. Each visit's id is its (visitor, domain, first pageview time), the same whichever
   * task or process closes it, so with the bounces view exactly-once (`-c exactlyOnce=true`)
   * a visit emitted twice counts once (the first emission wins).
   */
  private emitVisits(c: StatefulOutputCollector, visits: Visit[], keep = true): void {
    const kept: ClosedVisit[] = [];
    for (const v of visits) {
      this.emitVisit(c, v);
      this.save(v.visitor, v.domain);
      if (keep) kept.push([v.visitor, v.domain, v.firstTs, v.lastTs, v.count]);
    }
    if (kept.length === 0) return;
    const key = closedKey(this.ticks);
    const prior = this.state.get<ClosedVisit[]>(key);
    this.state.put(key, prior === undefined ? kept : prior.concat(kept));
    if (prior === undefined) this.closed.push({ key, tick: this.ticks });
  }

  private emitVisit(c: StatefulOutputCollector, v: Visit): void {
    const u: ViewUpdate = {
      view: bouncesView.name, key: v.domain, bucket: bucketOf(bouncesView, v.firstTs), time: v.firstTs,
      fields: { visits: 1, bounces: v.count === 1 ? 1 : 0 }, id: `visit:${v.visitor}:${v.domain}:${v.firstTs}`,
    };
    c.emit([[u]]);
  }

  /** End of input: close every visit; the writer finishes after this bolt, so nothing needs emitting again later. */
  finish(c: StatefulOutputCollector): void {
    for (const v of this.again.splice(0)) this.emitVisit(c, v);
    this.emitVisits(c, this.sessions.closeAll(), false);
    for (const { key } of this.closed.splice(0)) this.state.delete(key);
  }
}
