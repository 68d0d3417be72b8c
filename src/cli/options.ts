/**
 * Turns CLI flags into runtime options. Dedicated flags beat `-c` pairs, which beat the
 * topology file's config (see runtime/config.ts). Bad values throw UsageError (exit 2).
 */
import { parseConfigPair, parseDuration } from '../runtime/config.js';

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

/** `--chaos kill-worker=300ms` -> 300. */
export function chaosFlag(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const m = /^kill-worker=(.+)$/.exec(value);
  if (!m) throw new UsageError(`--chaos: unknown mode '${value}' (supported: kill-worker=<interval>, e.g. kill-worker=300ms)`);
  return durationFlag('chaos kill-worker', m[1]);
}

export function overrides(flags: CommonFlags): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  const workers = intFlag('workers', flags.workers, 1);
  const ackers = intFlag('ackers', flags.ackers, 0);
  if (workers !== undefined) o['workers'] = workers;
  if (ackers !== undefined) o['ackers'] = ackers;
  return o;
}
