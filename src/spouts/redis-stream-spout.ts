/**
 * A reliable spout over a Redis stream, as one consumer of a consumer group. Each entry is
 * emitted with its entry id as message id and XACKed only when its tuple tree completes; a
 * failed tree is emitted again (the entry stays pending in Redis meanwhile). Entries another
 * consumer left pending longer than `stream.claimIdleMs` (it died) are claimed with
 * XAUTOCLAIM; an entry tried `stream.maxAttempts` times (failures here, deliveries before a
 * claim) goes to a dead-letter stream with the reason and is acked. Options: stream-settings.ts.
 *
 * The runtime polls `nextTuple` on the worker's loop, so nothing here may block: a reader
 * loop on its own connection fills a buffer (XREADGROUP BLOCK when the stream is idle, so an
 * idle spout costs one command per block time, never a busy loop) and `nextTuple` only takes
 * from it. The reader holds at most `maxSpoutPending` entries (buffered or in flight).
 */
import type { Config, MessageId, Spout } from '../api/components.js';
import type { SpoutOutputCollector } from '../api/collectors.js';
import type { OutputFieldsDeclarer } from '../api/declarer.js';
import type { TopologyContext } from '../api/context.js';
import { connectStream, streamTarget, type StreamClient } from './stream-connect.js';
import { streamSettings, type StreamSettings } from './stream-settings.js';
import * as ops from './stream-ops.js';
import { fieldOf, type DeadLetter, type StreamEntry } from './stream-ops.js';

export interface RedisStreamSpoutOptions {
  /** Config key naming the stream (default `stream`). */
  readonly configKey?: string;
  /** Entry field holding the payload (default `line`); an entry without it is dead-lettered. */
  readonly field?: string;
  /** Entry field holding the event id (default `id`); without it the entry id is the event id. */
  readonly idField?: string;
  /** Output fields: [payload, event id] (default `['line', 'id']`). */
  readonly outputFields?: readonly [string, string];
}

interface Held {
  readonly values: unknown[];
  readonly entry: StreamEntry;
  attempts: number;
  /** When Redis last saw us take it (read, claim, touch), for the idle refresh. */
  touchedAt: number;
}

/** Counters for tests and the README's examples. */
export interface StreamSpoutStats {
  read: number;
  claimed: number;
  acked: number;
  deadLettered: number;
  consumersRemoved: number;
}

export class RedisStreamSpout implements Spout {
  private s!: StreamSettings;
  private collector!: SpoutOutputCollector;
  private cmd: StreamClient | null = null;
  private reader: StreamClient | null = null;
  private readonly held = new Map<string, Held>();
  /** Ids to emit in order (new, claimed, replays); `head` is the next. */
  private ready: string[] = [];
  private head = 0;
  private acks: string[] = [];
  private ackTimer: NodeJS.Timeout | null = null;
  private acking: Promise<void> | null = null;
  private paused = true;
  private closed = false;
  private exhausted = false;
  private wakeUp: (() => void) | null = null;
  private loop: Promise<void> | null = null;
  private lastNewAt = Date.now();
  private lastClaimAt = 0;
  private lastSweepAt = Date.now();
  private claimCursor = '0-0';
  readonly stats: StreamSpoutStats = { read: 0, claimed: 0, acked: 0, deadLettered: 0, consumersRemoved: 0 };

  constructor(private readonly opts: RedisStreamSpoutOptions = {}) {}

  declareOutputFields(d: OutputFieldsDeclarer): void {
    d.declare([...(this.opts.outputFields ?? ['line', 'id'])]);
  }

  /** The resolved settings (after open). */
  get settings(): StreamSettings {
    return this.s;
  }

  async open(config: Config, context: TopologyContext, collector: SpoutOutputCollector): Promise<void> {
    this.collector = collector;
    this.s = streamSettings(config, context.taskId, this.opts.configKey);
    const target = streamTarget(config);
    this.cmd = connectStream(target);
    // Its own connection: a blocked XREADGROUP would hold up every other command on it.
    this.reader = connectStream(target);
    try {
      await ops.ensureGroup(this.cmd, this.s.stream, this.s.group, this.s.start);
    } catch (err) {
      await this.disconnect();
      throw new Error(`stream spout '${context.componentId}': cannot create group '${this.s.group}' on stream '${this.s.stream}' at ${target.display}: ${(err as Error).message}`);
    }
    this.loop = this.run();
  }

  nextTuple(): void {
    while (this.head < this.ready.length) {
      const id = this.ready[this.head++]!;
      const h = this.held.get(id);
      if (h === undefined) continue; // acked or dead-lettered meanwhile
      if (this.head > 4096 && this.head * 2 > this.ready.length) {
        this.ready = this.ready.slice(this.head);
        this.head = 0;
      }
      this.collector.emit(h.values, id);
      return;
    }
  }

  ack(msgId: MessageId): void {
    const id = String(msgId);
    if (!this.held.delete(id)) return;
    this.queueAck(id);
    this.wake();
  }

  private queueAck(id: string): void {
    this.acks.push(id);
    // Acks within a short window go out in one XACK; a full window goes at once.
    if (this.acks.length >= this.s.batch) void this.flushAcks();
    else this.ackTimer ??= setTimeout(() => void this.flushAcks(), this.s.ackWindowMs);
  }

  fail(msgId: MessageId): void {
    const id = String(msgId);
    const h = this.held.get(id);
    if (h === undefined) return;
    h.attempts++;
    if (h.attempts >= this.s.maxAttempts) {
      this.toDeadLetter([{ entry: h.entry, attempts: h.attempts, reason: `its tuple tree failed ${h.attempts} times (failures or timeouts downstream)` }]);
    } else {
      this.ready.push(id);
    }
  }

  isExhausted(): boolean {
    return this.exhausted;
  }

  activate(): void {
    this.paused = false;
    this.wake();
  }

  deactivate(): void {
    this.paused = true;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wake();
    // Aborts a blocked XREADGROUP; what it may already have delivered stays pending for a claim.
    this.reader?.disconnect();
    await this.loop?.catch(() => {});
    try {
      await this.flushAcks();
      if (this.held.size === 0 && this.cmd !== null) await ops.removeSelfIfEmpty(this.cmd, this.s.stream, this.s.group, this.s.consumer);
    } catch (err) {
      this.collector.reportError(new Error(`stream '${this.s.stream}': at close: ${(err as Error).message}`));
    }
    await this.disconnect();
  }

  // ---- the reader loop ----

  private async run(): Promise<void> {
    const s = this.s;
    let backoff = 100;
    let ownFrom: string | null = '0'; // our own pending history first (a fixed consumer name restarting)
    while (!this.closed) {
      try {
        if (this.paused || this.exhausted) {
          await this.sleep(s.blockMs);
          continue;
        }
        const now = Date.now();
        if (now - this.lastClaimAt >= this.claimEvery()) {
          this.lastClaimAt = now;
          await this.refresh(now);
          await this.claim();
          if (now - this.lastSweepAt >= s.consumerIdleMs / 2) {
            this.lastSweepAt = now;
            const removed = await ops.sweepConsumers(this.cmd!, s.stream, s.group, s.consumer, s.consumerIdleMs);
            this.stats.consumersRemoved += removed.length;
          }
        }
        const room = s.maxPending - this.held.size;
        if (room <= 0) {
          await this.sleep(this.claimEvery());
          continue;
        }
        if (ownFrom !== null) {
          const own = await ops.readOwnPending(this.cmd!, s.stream, s.group, s.consumer, Math.min(s.batch, room), ownFrom);
          ownFrom = own.length === 0 ? null : own[own.length - 1]!.id;
          this.take(own, 0);
          continue;
        }
        const wait = Math.max(1, Math.min(s.blockMs, this.claimEvery() - (Date.now() - this.lastClaimAt)));
        const got = await ops.readNew(this.reader!, s.stream, s.group, s.consumer, Math.min(s.batch, room), wait);
        if (got.length > 0) {
          this.lastNewAt = Date.now();
          this.take(got, 0);
        } else if (s.idleExitMs !== null && this.held.size === 0 && Date.now() - this.lastNewAt >= s.idleExitMs) {
          // Nothing new for us; the run may end once no consumer holds anything either
          // (a dead one's entries are claimed first, after claimIdleMs).
          if ((await ops.groupPending(this.cmd!, s.stream, s.group)) === 0) this.exhausted = true;
        }
        backoff = 100;
      } catch (err) {
        if (this.closed) return;
        this.collector.reportError(new Error(`stream '${s.stream}' group '${s.group}': ${(err as Error).message}`));
        await this.sleep(backoff);
        backoff = Math.min(backoff * 2, 5000);
      }
    }
  }

  /** Claims run at half the claim idle time (at least every 5 s, so idle exit and sweeps are timely). */
  private claimEvery(): number {
    return Math.max(50, Math.min(5000, Math.floor(this.s.claimIdleMs / 2)));
  }

  /** Entries we hold long: XCLAIM JUSTID resets their idle time, so no live consumer's work is claimed away. */
  private async refresh(now: number): Promise<void> {
    const old: string[] = [];
    const cut = now - this.s.claimIdleMs / 2;
    for (const [id, h] of this.held) if (h.touchedAt <= cut) old.push(id);
    for (let i = 0; i < old.length; i += 1000) {
      const ids = old.slice(i, i + 1000);
      await ops.touch(this.cmd!, this.s.stream, this.s.group, this.s.consumer, 0, ids);
      for (const id of ids) {
        const h = this.held.get(id);
        if (h) h.touchedAt = now;
      }
    }
  }

  /**
   * XAUTOCLAIM what dead consumers left, batch after batch until the pending list was scanned
   * to its end or we hold maxSpoutPending (a dead process may have held thousands: taking one
   * batch per round would take minutes). Poison entries go to the dead letters.
   */
  private async claim(): Promise<void> {
    for (let round = 0; round < 100 && !this.closed; round++) {
      const room = this.s.maxPending - this.held.size;
      if (room <= 0) return;
      const cursor = await this.claimBatch(Math.min(this.s.batch, room));
      if (cursor === '0-0') return;
    }
  }

  private async claimBatch(count: number): Promise<string> {
    const s = this.s;
    const c = await ops.autoClaim(this.cmd!, s.stream, s.group, s.consumer, s.claimIdleMs, this.claimCursor, count);
    this.claimCursor = c.cursor;
    const fresh = c.entries.filter((e) => !this.held.has(e.id));
    if (fresh.length === 0) return c.cursor;
    this.stats.claimed += fresh.length;
    const counts = await ops.deliveries(this.cmd!, s.stream, s.group, s.consumer, fresh[0]!.id, fresh[fresh.length - 1]!.id, s.maxPending + s.batch);
    // Each earlier delivery that ended in a claim is an attempt that did not end in an ack.
    const attempts = fresh.map((e) => Math.max(0, (counts.get(e.id) ?? 1) - 1));
    const poison: DeadLetter[] = [];
    const ok: StreamEntry[] = [];
    const okAttempts: number[] = [];
    fresh.forEach((e, i) => {
      if (attempts[i]! >= s.maxAttempts) poison.push({ entry: e, attempts: attempts[i]!, reason: `delivered ${attempts[i]! + 1} times without an ack (consumers died or timed out on it)` });
      else {
        ok.push(e);
        okAttempts.push(attempts[i]!);
      }
    });
    this.take(ok, okAttempts);
    if (poison.length > 0) await this.writeDeadLetters(poison);
    return c.cursor;
  }

  private take(entries: readonly StreamEntry[], attempts: number | readonly number[]): void {
    const now = Date.now();
    const field = this.opts.field ?? 'line';
    const idField = this.opts.idField ?? 'id';
    const bad: DeadLetter[] = [];
    entries.forEach((e, i) => {
      if (this.held.has(e.id)) return;
      if (e.fields.length === 0) {
        // Deleted from the stream while pending (our own history after a restart): nothing to process.
        this.queueAck(e.id);
        return;
      }
      const payload = fieldOf(e, field);
      if (payload === undefined) {
        bad.push({ entry: e, attempts: 0, reason: `the entry has no field '${field}' (fields: ${e.fields.filter((_, j) => j % 2 === 0).join(', ') || 'none'})` });
        return;
      }
      this.stats.read++;
      const n = typeof attempts === 'number' ? attempts : attempts[i]!;
      this.held.set(e.id, { values: [payload, fieldOf(e, idField) ?? e.id], entry: e, attempts: n, touchedAt: now });
      this.ready.push(e.id);
    });
    if (bad.length > 0) this.toDeadLetter(bad);
  }

  private toDeadLetter(items: DeadLetter[]): void {
    for (const d of items) this.held.delete(d.entry.id);
    void this.writeDeadLetters(items).catch((err: unknown) => {
      // Still pending in Redis: claimed again after claimIdleMs and dead-lettered then.
      this.collector.reportError(new Error(`stream '${this.s.stream}': dead-lettering ${items.length} entr(ies) failed: ${(err as Error).message}`));
    });
    this.wake();
  }

  private async writeDeadLetters(items: DeadLetter[]): Promise<void> {
    for (const d of items) this.held.delete(d.entry.id);
    await ops.deadLetter(this.cmd!, this.s.stream, this.s.group, this.s.consumer, this.s.deadLetter, items);
    this.stats.deadLettered += items.length;
    // Counted in the run summary (deadLettered): the run ends completed-with-failures.
    for (const d of items) this.collector.deadLetter(d.entry.id, `stream '${this.s.stream}' entry ${d.entry.id} moved to '${this.s.deadLetter}': ${d.reason}`);
  }

  /** Send the gathered acks; calls chain, so one XACK is in flight at a time and none is lost. */
  private flushAcks(): Promise<void> {
    if (this.ackTimer) {
      clearTimeout(this.ackTimer);
      this.ackTimer = null;
    }
    const p = (this.acking ?? Promise.resolve()).then(() => this.sendAcks());
    this.acking = p;
    void p.finally(() => {
      if (this.acking === p) this.acking = null;
    });
    return p;
  }

  private async sendAcks(): Promise<void> {
    if (this.acks.length === 0 || this.cmd === null) return;
    const ids = this.acks;
    this.acks = [];
    try {
      await this.cmd.xack(this.s.stream, this.s.group, ...ids);
      this.stats.acked += ids.length;
    } catch (err) {
      // Not acked yet: keep them and retry; meanwhile they stay pending (never lost).
      this.acks.push(...ids);
      this.collector.reportError(new Error(`stream '${this.s.stream}': XACK of ${ids.length} entr(ies) failed, retrying: ${(err as Error).message}`));
      if (!this.closed) this.ackTimer ??= setTimeout(() => void this.flushAcks(), 1000);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done(): void {
        clearTimeout(t);
        resolve();
      }
      this.wakeUp = done;
    });
  }

  private wake(): void {
    const w = this.wakeUp;
    this.wakeUp = null;
    w?.();
  }

  private async disconnect(): Promise<void> {
    this.reader?.disconnect();
    if (this.cmd !== null) await this.cmd.quit().catch(() => this.cmd?.disconnect());
    this.cmd = null;
    this.reader = null;
  }
}
