/**
 * What users implement and configure for windowed bolts (Storm's IWindowedBolt, Flink's
 * window functions). The execution lives in src/windows; this file holds only the shapes,
 * plus the plain-data spec the builder copies into the plan so build-time checks can read it.
 */
import type { Config } from './components.js';
import type { TopologyContext } from './context.js';
import type { OutputFieldsDeclarer } from './declarer.js';
import type { Tuple } from './tuple.js';

/** One firing of a window, as Storm's `TupleWindow`. */
export interface TupleWindow {
  /** Every tuple in the window, in timestamp order (arrival order for count windows). */
  get(): readonly Tuple[];
  /** Tuples in this window that were not in the previous firing of this task. */
  getNew(): readonly Tuple[];
  /** Tuples that left the buffer (their last window closed) since the previous firing; already acked. */
  getExpired(): readonly Tuple[];
  /**
   * Window bounds: tuples with `start <= timestamp < end`. Milliseconds for time windows
   * (event time or processing time); arrival indexes of this task (0-based) for count windows.
   */
  readonly start: number;
  readonly end: number;
  /** True when this is a re-firing caused by late tuples within `allowedLatenessMs`. */
  readonly isUpdate: boolean;
}

/** How a window bolt emits: every emit is anchored to the tuples of the window being executed. */
export interface WindowOutputCollector {
  emit(values: unknown[], stream?: string): void;
  emitDirect(taskId: number, values: unknown[], stream?: string): void;
  reportError(error: unknown): void;
}

/**
 * A bolt that receives windows of tuples instead of single tuples. The runtime buffers the
 * input, acks each tuple once its last window has closed, and fails the window's tuples
 * when `execute` throws (so a reliable spout replays them). `execute` must be synchronous.
 */
export interface WindowedBolt {
  declareOutputFields?(declarer: OutputFieldsDeclarer): void;
  prepare?(config: Config, context: TopologyContext): void | Promise<void>;
  execute(window: TupleWindow, collector: WindowOutputCollector): void;
  cleanup?(): void | Promise<void>;
}

/** Base class with no-op defaults for every optional method (so `override` works), as Storm's BaseWindowedBolt. */
export abstract class BaseWindowedBolt implements WindowedBolt {
  declareOutputFields(_declarer: OutputFieldsDeclarer): void {}
  prepare(_config: Config, _context: TopologyContext): void | Promise<void> {}
  abstract execute(window: TupleWindow, collector: WindowOutputCollector): void;
  cleanup(): void | Promise<void> {}
}

/** A window length (and slide) by tuple count or by time. */
export type WindowSize = { readonly count: number } | { readonly durationMs: number };

/** Options of `windowed(bolt, options)`: exactly one of `tumbling` and `sliding`. */
export interface WindowOptions {
  /** Back-to-back windows of one size: `{ count: 100 }` or `{ durationMs: 10_000 }`. */
  readonly tumbling?: WindowSize;
  /**
   * Overlapping windows: `{ count: 100, every: 10 }` (the last 100 tuples, every 10 tuples)
   * or `{ durationMs: 10_000, everyMs: 5_000 }`. Time windows end on multiples of the slide.
   */
  readonly sliding?: { readonly count: number; readonly every: number } | { readonly durationMs: number; readonly everyMs: number };
  /**
   * Event time: the input field holding each tuple's timestamp (milliseconds, a finite
   * number). Every input stream must declare it. Without this nor `timestamp`, time
   * windows run in processing time (the arrival time at the bolt task).
   */
  readonly timestampField?: string;
  /** Event time from a function of the tuple, instead of `timestampField`. */
  readonly timestamp?: (tuple: Tuple) => number;
  /** Event time: the watermark trails the inputs' latest timestamps by this much (out-of-orderness). Default 0. */
  readonly lagMs?: number;
  /** Event time: a fired window stays open this long (in event time) and re-fires with late tuples. Default 0. */
  readonly allowedLatenessMs?: number;
  /** Event time: tuples later than the allowed lateness are emitted here, anchored, then acked. Default "late". */
  readonly lateStream?: string;
  /** Event time: an input task silent this long (on the run's clock, see context.clock) stops holding the watermark back. Default: never. */
  readonly idleTimeoutMs?: number;
  /** How often the watermark is advanced and windows fired (a tick tuple). Default: slide / 10, within 10..1000 ms. */
  readonly watermarkIntervalMs?: number;
}

/** Fields of the late stream: the tuple's values, its timestamp, and where it came from. */
export const LATE_STREAM_FIELDS = ['values', 'ts', 'sourceComponent', 'sourceStream'] as const;

/** Where the builder keeps a window bolt's spec in the component's config. */
export const WINDOW_CONFIG_KEY = 'topo.window';

/**
 * The plain-data form of `WindowOptions` recorded in the plan (no functions). Values are
 * as the user wrote them; validate-windows.ts checks them and names the component.
 */
export interface WindowSpec {
  readonly by: 'count' | 'time' | 'invalid';
  /** Count or milliseconds. */
  readonly length: number;
  readonly slide: number;
  readonly eventTime: boolean;
  readonly timestampField?: string;
  readonly timestampExtractor: boolean;
  readonly lagMs: number;
  readonly allowedLatenessMs: number;
  readonly lateStream: string;
  readonly idleTimeoutMs?: number;
  readonly watermarkIntervalMs: number;
  /** Problems found while reading the options that only the validator can name a component for. */
  readonly optionProblems: readonly string[];
}

/** The marker `windowed()` puts on its factory; a registry symbol so a bundle's second copy still matches. */
export const WINDOW_SPEC = Symbol.for('topo.windowSpec');

/** The spec attached to a component source by `windowed()`, if any. */
export function windowSpecOf(source: unknown): WindowSpec | undefined {
  if (typeof source !== 'function') return undefined;
  return (source as unknown as Record<symbol, WindowSpec | undefined>)[WINDOW_SPEC];
}
