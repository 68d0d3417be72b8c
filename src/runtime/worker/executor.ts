/**
 * What a worker needs from a task, and what a task may ask of its worker. Spout and bolt
 * executors implement `Executor`; the worker host implements `ExecutorHost`.
 */
import type { Clock } from '../../api/clock.js';
import type { IdGenerator } from '../ids.js';
import type { RuntimeConfig } from '../config.js';
import type { SharedState } from '../shared-state.js';
import type { TaskCounters } from '../metrics.js';
import type { StreamInfo } from './streams.js';
import type { TupleImpl } from './tuple-impl.js';

export interface ExecutorHost {
  readonly ids: IdGenerator;
  /** Acking on (ackers > 0). */
  readonly tracking: boolean;
  readonly config: RuntimeConfig;
  readonly shared: SharedState;
  readonly workerIndex: number;
  /** The run's clock: timeouts and ticks are set on it (real time, or a test's simulated time). */
  readonly clock: Clock;
  /**
   * `clock.now()` as of the current loop step (refreshed per frame, spout poll and round):
   * emit, ack and reset stamps read this instead of the clock per tuple, so a stamp is late
   * or early by at most one step (microseconds to ~1 ms; exact under simulated time).
   */
  readonly now: number;
  /**
   * A thread's load as this thread sees it, 0 idle .. 1 saturated (the load-aware shuffles):
   * a peer by its frame window to it (or 1 while it is congested), this thread by its local queue.
   */
  loadOf(worker: number): number;
  /** Bit for the worker hosting a task, for `TupleImpl.touched` (wraps beyond 31 threads). */
  workerBit(task: number): number;
  /**
   * Send an ack to a tree's acker, coalesced: acks for the same root within one loop round
   * are XORed into one message (a sentence's dozen word acks become one).
   */
  ack(info: StreamInfo, sourceTask: number, root: number, hi: number, lo: number, workers: number): void;
  /** Hand a tuple to a task: same thread goes to the local queue, others to a batch. */
  deliver(task: number, info: StreamInfo, sourceTask: number, values: unknown[], anchors: number[] | null): void;
  /** Count and surface a component error (rate-limited towards the supervisor). */
  reportError(counters: TaskCounters, error: unknown): void;
  /** A component asked to end the run as failed (OutputCollector.failRun): counted, then told to the supervisor. */
  failRun(counters: TaskCounters, error: unknown): void;
  /**
   * Count an execute whose promise has not settled yet: the thread is not idle while one
   * is outstanding (an async bolt awaiting I/O holds work no queue shows).
   */
  asyncStarted(): void;
  asyncSettled(): void;
  /** Make sure the worker loop runs soon (new local work or a spout unblocked). */
  schedule(): void;
}

export interface Executor {
  readonly taskId: number;
  readonly componentId: string;
  readonly counters: TaskCounters;
  /** open / prepare. */
  start(): Promise<void>;
  receive(tuple: TupleImpl): void;
  /** Fail the trees of a tuple this task emitted that could not be delivered. */
  failRoots(anchors: readonly number[]): void;
  finish(): Promise<void>;
  close(): Promise<void>;
}

/** Result of polling a spout once per loop round. */
export const enum PollResult {
  Emitted = 0,
  Idle = 1,
  Blocked = 2,
  Exhausted = 3,
  Inactive = 4,
}

export function errorText(err: unknown): string {
  if (err instanceof Error) return err.stack ?? `${err.name}: ${err.message}`;
  return String(err);
}

/** Sample 1 in 16 executes for latency: timing every tuple costs more than the work in small bolts. */
export const LATENCY_SAMPLE_MASK = 15;
