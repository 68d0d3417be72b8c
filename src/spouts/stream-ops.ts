/**
 * Redis Streams commands the spout and the CLI share, with their replies decoded into plain
 * data. Anything that must not race with consumers (removing a consumer only if it holds
 * nothing) runs as one Lua script, so no entry can be delivered between the check and the act.
 */
import type { StreamClient } from './stream-connect.js';

export interface StreamEntry {
  readonly id: string;
  /** Field/value pairs as stored (XADD order). */
  readonly fields: readonly string[];
}

/** The value of `name` in an entry's field list, or undefined. */
export function fieldOf(e: StreamEntry, name: string): string | undefined {
  for (let i = 0; i + 1 < e.fields.length; i += 2) if (e.fields[i] === name) return e.fields[i + 1];
  return undefined;
}

type RawEntry = [string, string[] | null];

function entries(raw: unknown): StreamEntry[] {
  const out: StreamEntry[] = [];
  // A deleted entry read from a consumer's history comes back with null fields: skip it
  // here, the caller acks it (there is nothing left to process).
  for (const [id, fields] of (raw ?? []) as RawEntry[]) out.push({ id, fields: fields ?? [] });
  return out;
}

/** XGROUP CREATE ... MKSTREAM; an existing group is kept as it is (its position included). */
export async function ensureGroup(c: StreamClient, stream: string, group: string, start: string): Promise<boolean> {
  try {
    await c.xgroup('CREATE', stream, group, start, 'MKSTREAM');
    return true;
  } catch (err) {
    if (/BUSYGROUP/.test((err as Error).message)) return false;
    throw err;
  }
}

/** XREADGROUP of new entries (`>`), blocking up to `blockMs`; [] when none arrived. */
export async function readNew(c: StreamClient, stream: string, group: string, consumer: string, count: number, blockMs: number): Promise<StreamEntry[]> {
  const r = (await c.xreadgroup('GROUP', group, consumer, 'COUNT', count, 'BLOCK', blockMs, 'STREAMS', stream, '>')) as [string, RawEntry[]][] | null;
  return r === null || r.length === 0 ? [] : entries(r[0]![1]);
}

/** This consumer's own pending entries after `after` (a restart under a fixed consumer name). */
export async function readOwnPending(c: StreamClient, stream: string, group: string, consumer: string, count: number, after: string): Promise<StreamEntry[]> {
  const r = (await c.xreadgroup('GROUP', group, consumer, 'COUNT', count, 'STREAMS', stream, after)) as [string, RawEntry[]][] | null;
  return r === null || r.length === 0 ? [] : entries(r[0]![1]);
}

export interface Claimed {
  readonly cursor: string;
  readonly entries: StreamEntry[];
  /** Pending ids whose entries were trimmed away (Redis removed them from the pending list). */
  readonly deleted: readonly string[];
}

/** XAUTOCLAIM: entries pending longer than `minIdleMs` at any consumer become ours. */
export async function autoClaim(c: StreamClient, stream: string, group: string, consumer: string, minIdleMs: number, cursor: string, count: number): Promise<Claimed> {
  const r = (await c.xautoclaim(stream, group, consumer, minIdleMs, cursor, 'COUNT', count)) as unknown[];
  return { cursor: r[0] as string, entries: entries(r[1]).filter((e) => e.fields.length > 0), deleted: (r[2] as string[] | undefined) ?? [] };
}

/** Delivery counts of this consumer's pending entries between two ids (inclusive). */
export async function deliveries(c: StreamClient, stream: string, group: string, consumer: string, from: string, to: string, count: number): Promise<Map<string, number>> {
  const r = (await c.xpending(stream, group, from, to, count, consumer)) as [string, string, number, number][];
  return new Map(r.map(([id, , , n]) => [id, Number(n)]));
}

/** Entries pending in the whole group (delivered to some consumer, not acked). */
export async function groupPending(c: StreamClient, stream: string, group: string): Promise<number> {
  const r = (await c.xpending(stream, group)) as [number, ...unknown[]];
  return Number(r[0]);
}

/** XCLAIM ... JUSTID with min-idle: resets the idle time of entries we hold (no delivery count). */
export async function touch(c: StreamClient, stream: string, group: string, consumer: string, minIdleMs: number, ids: readonly string[]): Promise<void> {
  if (ids.length > 0) await c.call('XCLAIM', stream, group, consumer, minIdleMs, ...ids, 'JUSTID');
}

// Consumers of `group` idle >= ARGV[2] ms with nothing pending are removed; ARGV[3] (this
// consumer) is skipped, unless ARGV[4] = '1', which targets only ARGV[3] (removal at close).
// Inside a script no XREADGROUP can hand the consumer an entry between the check and DELCONSUMER.
const SWEEP = `
local removed = {}
local cs = redis.call('XINFO', 'CONSUMERS', KEYS[1], ARGV[1])
local minIdle = tonumber(ARGV[2])
for _, c in ipairs(cs) do
  local name, pending, idle
  for i = 1, #c, 2 do
    if c[i] == 'name' then name = c[i + 1]
    elseif c[i] == 'pending' then pending = c[i + 1]
    elseif c[i] == 'idle' then idle = c[i + 1] end
  end
  local mine = name == ARGV[3]
  if pending == 0 and idle >= minIdle and ((ARGV[4] == '1') == mine) then
    redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], name)
    removed[#removed + 1] = name
  end
end
return removed
`;

/** Remove other consumers idle >= `minIdleMs` that hold nothing; returns their names. */
export async function sweepConsumers(c: StreamClient, stream: string, group: string, self: string, minIdleMs: number): Promise<string[]> {
  return (await c.eval(SWEEP, 1, stream, group, minIdleMs, self, '0')) as string[];
}

/** Remove this consumer if it holds nothing (a clean close); true when removed. */
export async function removeSelfIfEmpty(c: StreamClient, stream: string, group: string, self: string): Promise<boolean> {
  return ((await c.eval(SWEEP, 1, stream, group, 0, self, '1')) as string[]).length > 0;
}

export interface DeadLetter {
  readonly entry: StreamEntry;
  readonly reason: string;
  readonly attempts: number;
}

/**
 * Append to the dead-letter stream (where it came from, why, how often it was tried, then
 * the entry's own fields unchanged), then XACK it. Two commands, not MULTI: in a cluster the
 * two streams may live in different slots. A crash between them leaves the entry pending,
 * so it is dead-lettered again later: a duplicate dead letter, never a lost entry.
 */
export async function deadLetter(c: StreamClient, stream: string, group: string, consumer: string, dlq: string, items: readonly DeadLetter[]): Promise<void> {
  if (items.length === 0) return;
  const p = c.pipeline();
  for (const d of items) {
    p.xadd(dlq, '*', 'dl.stream', stream, 'dl.id', d.entry.id, 'dl.group', group, 'dl.consumer', consumer,
      'dl.reason', d.reason, 'dl.attempts', String(d.attempts), ...d.entry.fields);
  }
  for (const [err] of (await p.exec()) ?? []) if (err) throw err;
  await c.xack(stream, group, ...items.map((d) => d.entry.id));
}
