/**
 * Turns CLI flags into runtime options. Dedicated flags beat `-c` pairs, which beat the
 * topology file's config (see runtime/config.ts). Bad values throw UsageError (exit 2).
 */
import { parseConfigPair, parseDuration } from '../runtime/config.js';
import { MIN_CHAOS_INTERVAL_MS } from '../runtime/chaos.js';
import { MAX_WORKERS, WORKERS_PER_CORE, workerLimit } from '../runtime/physical-plan.js';
import { availableParallelism } from 'node:os';

/** `topo up`'s batch period when --every is absent (here, not in up.ts: main.ts shows it without loading up). */
export const DEFAULT_EVERY = '15m';

export class UsageError extends Error {}

export interface CommonFlags {
  config?: string[];
  workers?: string;
  ackers?: string;
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function configPairs(pairs: readonly string[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of pairs ?? []) {
    try {
      const [k, v] = parseConfigPair(p);
      out[k] = v;
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  }
  return out;
}

export function intFlag(name: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer >= ${min}, got '${value}'`);
  return n;
}

export function durationFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  try {
    const ms = parseDuration(value, `--${name}`);
    if (ms <= 0) throw new Error(`--${name} must be positive, got '${value}'`);
    return ms;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** `--chaos kill-worker=300ms[,max=20]` -> { everyMs: 300, maxKills: 20 }; limits as runtime/chaos.ts. */
export function chaosFlag(value: string | undefined): { everyMs: number; maxKills: number | undefined } | undefined {
  if (value === undefined) return undefined;
  const m = /^kill-worker=([^,]+)(?:,max=(.*))?$/.exec(value);
  if (!m) throw new UsageError(`--chaos: unknown mode '${value}' (supported: kill-worker=<interval>[,max=<kills>], e.g. kill-worker=300ms)`);
  const everyMs = durationFlag('chaos kill-worker', m[1])!;
  if (everyMs < MIN_CHAOS_INTERVAL_MS) {
    throw new UsageError(`--chaos kill-worker: the interval must be at least ${MIN_CHAOS_INTERVAL_MS}ms (a replacement thread takes about that long to boot), got '${m[1]}'`);
  }
  return { everyMs, maxKills: m[2] === undefined ? undefined : intFlag('chaos kill-worker max', m[2], 1) };
}

export function overrides(flags: CommonFlags): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  const workers = intFlag('workers', flags.workers, 1);
  // Checked here too (physical-plan.ts checks every layer) so the flag is named before any work.
  if (workers !== undefined && workers > workerLimit()) {
    throw new UsageError(`--workers ${workers} is above the limit of ${workerLimit()} (${WORKERS_PER_CORE} per core on ${availableParallelism()} core(s), at most ${MAX_WORKERS}): more threads only compete for the cores`);
  }
  const ackers = intFlag('ackers', flags.ackers, 0);
  if (workers !== undefined) o['workers'] = workers;
  if (ackers !== undefined) o['ackers'] = ackers;
  return o;
}
