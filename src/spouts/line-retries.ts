/**
 * How a LineFileSpout retries a failed line: its options (read from the merged config and
 * checked once in `open`, so a typo fails the run at start with the key's name) and the queue
 * of replays waiting for their backoff. With `<key>` the spout's config key (default `input`):
 *
 *   <key>.maxAttempts   a line a bolt failed this many times is dead-lettered (default 5; 0: retry forever)
 *   <key>.deadLetter    the dead-letter file (default .topo/dead-letters/<topology>-<component>.jsonl)
 *   <key>.retryDelayMs  wait before the first replay of a line a bolt failed (default 100)
 *   <key>.retryMaxMs    the wait doubles per failure up to this (default 10000)
 *
 * Only a bolt's fails count and wait (FailReason `failed`): a tree that timed out or reached a
 * thread that died says nothing about its line, and is replayed at once, never dead-lettered.
 * Without the wait a line failed on every try was replayed ~11 k times a second.
 */
import { join } from 'node:path';
import type { Config } from '../api/components.js';
import { DEFAULT_MAX_SPOUT_PENDING } from '../runtime/config.js';
import { configInt } from './stream-settings.js';

export interface LineRetrySettings {
  /** 0: never dead-letter. */
  readonly maxAttempts: number;
  readonly deadLetter: string;
  readonly retryDelayMs: number;
  readonly retryMaxMs: number;
  /** Lines held (in flight or waiting for a replay) before no new line is read. */
  readonly maxHeld: number;
}

/** Settings for the spout reading config key `key`; throws an error naming the bad key. */
export function lineRetrySettings(config: Config, key: string, componentId: string): LineRetrySettings {
  const name = typeof config['topology.name'] === 'string' ? config['topology.name'] : 'topo';
  const dl = config[`${key}.deadLetter`];
  if (dl !== undefined && (typeof dl !== 'string' || dl === '')) {
    throw new Error(`config '${key}.deadLetter' must be a file path, got ${JSON.stringify(dl)}`);
  }
  const retryDelayMs = configInt(config, `${key}.retryDelayMs`, 100, 0);
  const retryMaxMs = configInt(config, `${key}.retryMaxMs`, Math.max(10_000, retryDelayMs), 0);
  if (retryMaxMs < retryDelayMs) {
    throw new Error(`config '${key}.retryMaxMs' (${retryMaxMs}) must be at least '${key}.retryDelayMs' (${retryDelayMs})`);
  }
  return {
    maxAttempts: configInt(config, `${key}.maxAttempts`, 5, 0),
    deadLetter: dl ?? join('.topo', 'dead-letters', `${name}-${componentId}.jsonl`.replace(/[^A-Za-z0-9._-]/g, '_')),
    retryDelayMs,
    retryMaxMs,
    maxHeld: configInt(config, 'maxSpoutPending', DEFAULT_MAX_SPOUT_PENDING, 1),
  };
}

/** The wait before the replay that follows failure number `attempts` (1, 2, ...). */
export function backoffMs(s: LineRetrySettings, attempts: number): number {
  if (attempts <= 0) return 0;
  return Math.min(s.retryMaxMs, s.retryDelayMs * 2 ** Math.min(attempts - 1, 30));
}

/**
 * Line numbers waiting to be emitted again, each with the time it is due. Kept sorted with
 * the earliest due last, so taking one is a pop; it holds at most maxSpoutPending lines, so
 * the insertion's shift is cheap next to a replay.
 */
export class ReplayQueue {
  private readonly ids: number[] = [];
  private readonly due: number[] = [];

  get size(): number {
    return this.ids.length;
  }

  push(id: number, dueAt: number): void {
    // Binary search for the first index whose due time is <= dueAt (the array is descending).
    let lo = 0;
    let hi = this.due.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.due[mid]! > dueAt) lo = mid + 1;
      else hi = mid;
    }
    this.ids.splice(lo, 0, id);
    this.due.splice(lo, 0, dueAt);
  }

  /** The earliest line due at `now`, or undefined. */
  takeDue(now: number): number | undefined {
    const last = this.due.length - 1;
    if (last < 0 || this.due[last]! > now) return undefined;
    this.due.pop();
    return this.ids.pop();
  }
}
