/** Collectors: how components emit, ack and fail. */
import type { Tuple } from './tuple.js';
import type { MessageId } from './components.js';

export interface SpoutOutputCollector {
  /**
   * Emit `values` on `stream` (default "default"). With a `msgId` the tuple roots a tracked
   * tree: `ack(msgId)` or `fail(msgId)` follows on the spout.
   */
  emit(values: unknown[], msgId?: MessageId, stream?: string): void;
  emitDirect(taskId: number, values: unknown[], msgId?: MessageId, stream?: string): void;
  reportError(error: unknown): void;
  /**
   * The spout gives up on a message (poison input, moved to a dead letter): it will not be
   * emitted again. Counted per spout as `deadLettered` in the run summary and reported as an
   * error with `reason`; a run that ends with such trees has status `completed-with-failures`.
   */
  deadLetter(msgId: MessageId, reason: string): void;
}

export type Anchors = Tuple | readonly Tuple[] | null | undefined;

export interface OutputCollector {
  /** Emit anchored to `anchors` (a tuple, several, or null for an unanchored emit). */
  emit(anchors: Anchors, values: unknown[], stream?: string): void;
  emitDirect(taskId: number, anchors: Anchors, values: unknown[], stream?: string): void;
  ack(tuple: Tuple): void;
  fail(tuple: Tuple): void;
  /** Extend the timeout of every tree the tuple belongs to (slow work in progress). */
  resetTimeout(tuple: Tuple): void;
  reportError(error: unknown): void;
  /**
   * End the whole run as failed (status `failed`, `topo run` exits 1) with this error, for a
   * bolt that cannot do its job at all (its durable store unwritable for too long) and must
   * not pretend otherwise; a per-tuple problem is `fail` or `reportError`, not this.
   */
  failRun(error: unknown): void;
}

export interface BasicOutputCollector {
  /** Emit anchored to the input being executed. */
  emit(values: unknown[], stream?: string): void;
  emitDirect(taskId: number, values: unknown[], stream?: string): void;
  resetTimeout(): void;
  reportError(error: unknown): void;
}
