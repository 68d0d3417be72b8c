/**
 * A reliable spout over the lines of a file: each line is emitted with its line number as
 * message id, kept until acked, and emitted again when its tree fails or times out. It is
 * exhausted at end of file once no failed line waits for replay. Memory stays bounded by
 * maxSpoutPending: only unacked lines are held.
 */
import type { Config, MessageId, Spout } from '../api/components.js';
import type { SpoutOutputCollector } from '../api/collectors.js';
import type { OutputFieldsDeclarer } from '../api/declarer.js';
import type { TopologyContext } from '../api/context.js';
import { LineReader } from './line-reader.js';

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
  private readonly inFlight = new Map<number, string>();
  private readonly replay: number[] = [];
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
  }

  nextTuple(): void {
    const id = this.replay.pop();
    if (id !== undefined) {
      this.send(id, this.inFlight.get(id)!);
      return;
    }
    while (!this.done) {
      const line = this.readLine();
      if (line === null) {
        this.done = true;
        return;
      }
      const n = ++this.lineNo;
      if (this.opts.skipEmpty && line.length === 0) continue;
      this.inFlight.set(n, line);
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

  fail(msgId: MessageId): void {
    if (this.inFlight.has(msgId as number)) this.replay.push(msgId as number);
  }

  isExhausted(): boolean {
    return this.done && this.replay.length === 0;
  }

  close(): void {
    this.reader?.close();
  }
}
