/**
 * The stream spout's options, read from the merged config and checked once in `open`, so a
 * typo fails the run at start with the key's name instead of reading the wrong thing.
 *
 *   stream                  stream key (required)
 *   group                   consumer group (default `topo:<topology name>`)
 *   consumer                consumer name (default `<host>-<pid>-<task>`: unique per process and task)
 *   stream.start            where a NEW group starts: `$` (new entries only), `0` (everything), or an id
 *   stream.batch            entries per XREADGROUP / XAUTOCLAIM call (default 200)
 *   stream.blockMs          XREADGROUP BLOCK time when the stream is idle (default 2000)
 *   stream.claimIdleMs      entries pending this long at another consumer are claimed (default 30000)
 *   stream.maxAttempts      a poison entry goes to the dead-letter stream after this many attempts (default 5)
 *   stream.deadLetter       dead-letter stream key (default `<stream>:dead`)
 *   stream.ackWindowMs      acks gathered this long go out in one XACK (default 20)
 *   stream.consumerIdleMs   other consumers idle this long holding nothing are removed (default 300000)
 *   stream.idleExitMs       end the run once the group had nothing pending and nothing new this long (default: never)
 */
import { hostname } from 'node:os';
import type { Config } from '../api/components.js';

export interface StreamSettings {
  readonly stream: string;
  readonly group: string;
  readonly consumer: string;
  readonly start: string;
  readonly batch: number;
  readonly blockMs: number;
  readonly claimIdleMs: number;
  readonly maxAttempts: number;
  readonly deadLetter: string;
  readonly ackWindowMs: number;
  readonly consumerIdleMs: number;
  /** null: the spout never ends on its own (stop it with --duration or a signal). */
  readonly idleExitMs: number | null;
  readonly maxPending: number;
}

const HOST = (hostname().replace(/[^A-Za-z0-9.-]/g, '').slice(0, 32) || 'host').toLowerCase();

/** A stream entry id as XADD makes them: `<ms>-<seq>`, or `<ms>` (seq 0). */
export const ENTRY_ID = /^\d+(-\d+)?$/;

function str(config: Config, key: string, fallback: string): string {
  const v = config[key];
  if (v === undefined || v === null) return fallback;
  // `-c group=7` arrives as a number (values are parsed as JSON): a name all the same.
  if (typeof v === 'number') return String(v);
  if (typeof v !== 'string' || v === '') throw new Error(`config '${key}' must be a non-empty string, got ${JSON.stringify(v)}`);
  return v;
}

/** An integer config key (a number or a numeric string) >= `min`, else `fallback` when unset; throws naming the key. */
export function configInt(config: Config, key: string, fallback: number, min: number): number {
  const v = config[key];
  if (v === undefined || v === null) return fallback;
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min) {
    throw new Error(`config '${key}' must be an integer >= ${min}, got ${JSON.stringify(v)}`);
  }
  return n;
}

/** Settings for task `taskId`; throws an error naming the bad key. */
export function streamSettings(config: Config, taskId: number, streamKey = 'stream'): StreamSettings {
  const stream = config[streamKey];
  if (typeof stream !== 'string' || stream === '') {
    throw new Error(`config '${streamKey}' must name a Redis stream, got ${JSON.stringify(stream)}`);
  }
  const name = typeof config['topology.name'] === 'string' ? config['topology.name'] : 'topo';
  const start = str(config, 'stream.start', '$');
  if (start !== '$' && start !== '0' && !ENTRY_ID.test(start)) {
    throw new Error(`config 'stream.start' must be $ (new entries), 0 (from the beginning) or an entry id like 1700000000000-0, got ${JSON.stringify(start)}`);
  }
  const idle = config['stream.idleExitMs'];
  return {
    stream,
    group: str(config, 'group', `topo:${name}`),
    consumer: str(config, 'consumer', `${HOST}-${process.pid}-${taskId}`),
    start,
    batch: configInt(config, 'stream.batch', 200, 1),
    blockMs: configInt(config, 'stream.blockMs', 2000, 1),
    claimIdleMs: configInt(config, 'stream.claimIdleMs', 30_000, 1),
    maxAttempts: configInt(config, 'stream.maxAttempts', 5, 1),
    deadLetter: str(config, 'stream.deadLetter', `${stream}:dead`),
    ackWindowMs: configInt(config, 'stream.ackWindowMs', 20, 0),
    consumerIdleMs: configInt(config, 'stream.consumerIdleMs', 300_000, 1),
    idleExitMs: idle === undefined || idle === null ? null : configInt(config, 'stream.idleExitMs', 0, 1),
    maxPending: configInt(config, 'maxSpoutPending', 1000, 1),
  };
}
