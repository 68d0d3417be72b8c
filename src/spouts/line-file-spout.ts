/**
 * A reliable spout over the lines of a file: each line is emitted with its line number as
 * message id, kept until acked, and emitted again when its tree fails or times out. A line a
 * bolt failed waits before its replay (doubling per failure) and after `<key>.maxAttempts`
 * such failures goes to a dead-letter file instead (line-retries.ts): a poison line neither
 * spins nor keeps the run from ending, and the run ends `completed-with-failures`. It is
 * exhausted at end of file once no failed line waits for replay. Memory stays bounded by
 * maxSpoutPending: no new line is read while that many are held (in flight or waiting).
 */
import type { Config, FailReason, MessageId, Spout } from '../api/components.js';
import type { SpoutOutputCollector } from '../api/collectors.js';
import type { OutputFieldsDeclarer } from '../api/declarer.js';
import type { TopologyContext } from '../api/context.js';
import { LineReader } from './line-reader.js';
import { backoffMs, lineRetrySettings, ReplayQueue, type LineRetrySettings } from './line-retries.js';
import { DeadLetterFile } from './dead-letter-file.js';

export interface LineFileSpoutOptions {
  /** Config key holding the file path (default `input`). */
  readonly configKey?: string;
  /** Output field for the line (default `line`); a second field `lineNumber` follows when `withLineNumber`. */
  readonly field?: string;
  readonly withLineNumber?: boolean;
  /** Lines used when the config key is not set. */
  readonly fallback?: readonly string[];
  /** A file used when the config key is not set (takes precedence over `fallback`). */
  readonly defaultPath?: (config: Config) => string | undefined;
  /** Skip empty lines (they are not emitted, and need no ack). */
  readonly skipEmpty?: boolean;
}

export class LineFileSpout implements Spout {
  private reader: LineReader | null = null;
  private fallback: readonly string[] = [];
  private fallbackPos = 0;
  /** Lines emitted and not acked (in flight or waiting for a replay), with a bolt's fails so far. */
  private readonly inFlight = new Map<number, { text: string; attempts: number }>();
  private readonly replay = new ReplayQueue();
  private retry!: LineRetrySettings;
  private deadLetters: DeadLetterFile | null = null;
  private collector!: SpoutOutputCollector;
  private done = false;
  private lineNo = 0;
  /** The file read (or "(built-in)"), for components that name where a line came from. */
  source = '';

  constructor(private readonly opts: LineFileSpoutOptions = {}) {}

  declareOutputFields(d: OutputFieldsDeclarer): void {
    d.declare(this.opts.withLineNumber ? [this.opts.field ?? 'line', 'lineNumber'] : [this.opts.field ?? 'line']);
  }

  open(config: Config, context: TopologyContext, collector: SpoutOutputCollector): void {
    this.collector = collector;
    const key = this.opts.configKey ?? 'input';
    const path = config[key];
    if (context.getComponentTasks(context.componentId).length > 1) {
      throw new Error(`LineFileSpout '${context.componentId}' must have parallelism 1 (each task would read the whole file)`);
    }
    const file = path ?? this.opts.defaultPath?.(config);
    if (typeof file === 'string' && file.length > 0) this.reader = new LineReader(file);
    else if (file !== undefined) throw new Error(`config '${key}' must be a file path, got ${JSON.stringify(path)}`);
    else this.fallback = this.opts.fallback ?? [];
    this.source = typeof file === 'string' ? file : '(built-in)';
    this.retry = lineRetrySettings(config, key, context.componentId);
    this.deadLetters = new DeadLetterFile(this.retry.deadLetter);
  }

  nextTuple(): void {
    const id = this.replay.size > 0 ? this.replay.takeDue(Date.now()) : undefined;
    if (id !== undefined) {
      this.send(id, this.inFlight.get(id)!.text);
      return;
    }
    // Lines waiting out their backoff count as held: a file of poison lines is not read ahead.
    if (this.inFlight.size >= this.retry.maxHeld) return;
    while (!this.done) {
      const line = this.readLine();
      if (line === null) {
        this.done = true;
        return;
      }
      const n = ++this.lineNo;
      if (this.opts.skipEmpty && line.length === 0) continue;
      this.inFlight.set(n, { text: line, attempts: 0 });
      this.send(n, line);
      return;
    }
  }

  private readLine(): string | null {
    if (this.reader) return this.reader.next();
    return this.fallbackPos < this.fallback.length ? this.fallback[this.fallbackPos++]! : null;
  }

  private send(n: number, line: string): void {
    this.collector.emit(this.opts.withLineNumber ? [line, n] : [line], n);
  }

  ack(msgId: MessageId): void {
    this.inFlight.delete(msgId as number);
  }

  fail(msgId: MessageId, reason: FailReason = 'failed'): void {
    const n = msgId as number;
    const held = this.inFlight.get(n);
    if (held === undefined) return;
    // Timeouts and lost threads are the runtime's trouble, not the line's: replay at once.
    if (reason !== 'failed') {
      this.replay.push(n, 0);
      return;
    }
    held.attempts++;
    const max = this.retry.maxAttempts;
    if (max > 0 && held.attempts >= max && this.toDeadLetter(n, held.text, held.attempts)) return;
    this.replay.push(n, Date.now() + backoffMs(this.retry, held.attempts));
  }

  /** Write the line to the dead-letter file and give it up; false (keep retrying) if the write failed. */
  private toDeadLetter(n: number, text: string, attempts: number): boolean {
    const why = `failed by a bolt ${attempts} times (${this.opts.configKey ?? 'input'}.maxAttempts=${this.retry.maxAttempts})`;
    try {
      this.deadLetters!.write({ source: this.source, line: n, attempts, reason: why, text });
    } catch (err) {
      // Never lose a line because its dead letter could not be written: it is retried instead.
      this.collector.reportError(err);
      return false;
    }
    this.inFlight.delete(n);
    this.collector.deadLetter(n, `line ${n} of ${this.source} ${why}: written to ${this.deadLetters!.path}`);
    return true;
  }

  isExhausted(): boolean {
    return this.done && this.replay.size === 0;
  }

  close(): void {
    this.reader?.close();
    const dl = this.deadLetters;
    if (dl !== null && dl.count > 0) {
      // The last error of the spout, shown with the run's final line (the per-line reports are rate-limited).
      this.collector.reportError(new Error(`${dl.count} line(s) of ${this.source} dead-lettered to ${dl.path}`));
    }
    dl?.close();
  }
}
