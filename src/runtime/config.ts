/**
 * Runtime configuration: defaults, merge order and parsing of `-c key=value` and durations.
 * Precedence (highest first): dedicated CLI flags, `-c` pairs, the topology file's config,
 * the defaults below.
 */
import { availableParallelism } from 'node:os';

export interface RuntimeConfig {
  /** Worker threads. */
  workers: number;
  /** Acker tasks; 0 turns tracking off (spouts are acked at emit). */
  ackers: number;
  messageTimeoutMs: number;
  enableMessageTimeouts: boolean;
  /** Tracked trees in flight per spout task before the spout stops being polled. */
  maxSpoutPending: number;
  /** Tuples per cross-thread batch; a partial batch is flushed when the thread goes idle. */
  batchSize: number;
  /** Frames in flight per thread-to-thread channel before the sender buffers and signals pressure. */
  maxInflightFrames: number;
  /** After its last work a thread keeps polling (spouts, peers) this long before it sleeps; 0: sleep at once. */
  idleSpinMs: number;
  /** A partial cross-thread batch waits at most this long for more tuples while its thread is busy or spinning. */
  batchDelayMs: number;
  [key: string]: unknown;
}

export const DEFAULT_MAX_SPOUT_PENDING = 1000;
/**
 * Off by default: spinning keeps a thread's core busy for that long after every burst of work,
 * which a shared machine pays for. A steady stream of a few thousand tuples/s or more with
 * `idleSpinMs` 0.25 finds its threads awake: no 1 ms poll timer, no halted CPU's wake-up.
 */
export const DEFAULT_IDLE_SPIN_MS = 0;
/**
 * While a thread has more work at once, a partial batch waits up to this long for more
 * tuples: at 100 k tuples/s on 2 threads (id-bolt topology, acking on) 97 k frames of ~5
 * tuples became 18 k of ~28 at 0.1 ms, a quarter less worker CPU. A thread about to sleep
 * sends everything, so a lone tuple never waits for company.
 */
export const DEFAULT_BATCH_DELAY_MS = 0.05;

export function defaultConfig(): RuntimeConfig {
  const cores = availableParallelism();
  return {
    workers: cores,
    ackers: -1, // resolved to `workers` after merging (1 acker per worker)
    messageTimeoutMs: 30000,
    enableMessageTimeouts: true,
    maxSpoutPending: DEFAULT_MAX_SPOUT_PENDING,
    batchSize: 1000,
    maxInflightFrames: 16,
    idleSpinMs: DEFAULT_IDLE_SPIN_MS,
    batchDelayMs: DEFAULT_BATCH_DELAY_MS,
  };
}

export function mergeConfig(...layers: ReadonlyArray<Readonly<Record<string, unknown>> | undefined>): RuntimeConfig {
  const merged = defaultConfig();
  for (const layer of layers) {
    if (!layer) continue;
    for (const [k, v] of Object.entries(layer)) if (v !== undefined) merged[k] = v;
  }
  if (merged.ackers === -1) merged.ackers = merged.workers;
  return merged;
}

/** Parse `key=value`; the value is JSON when it parses as JSON, else the raw string. */
export function parseConfigPair(pair: string): [string, unknown] {
  const eq = pair.indexOf('=');
  if (eq <= 0) throw new Error(`-c expects key=value, got '${pair}'`);
  const key = pair.slice(0, eq).trim();
  const raw = pair.slice(eq + 1);
  try {
    return [key, JSON.parse(raw)];
  } catch {
    return [key, raw];
  }
}

/** Parse `500`, `500ms`, `10s`, `2m`, `1h` into milliseconds. */
export function parseDuration(text: string, option = 'duration'): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(text);
  if (!m) throw new Error(`${option}: '${text}' is not a duration (use e.g. 500ms, 10s, 2m)`);
  const n = Number(m[1]);
  const unit = m[2] ?? 'ms';
  const factor = unit === 'ms' ? 1 : unit === 's' ? 1000 : unit === 'm' ? 60000 : 3600000;
  return Math.round(n * factor);
}
