// The benchmark's metric: per window, its last update minus its end (the original's
// get-stats: time_updated - window time, less the window's 10 s), as p50/p90/p99.
import { emittedOf, WINDOW_MS } from './gen.mjs';
import { RUN_KEY, UPDATED_PREFIX } from './setup.mjs';

/**
 * From `ysb:updated:<topology>` and the run's record. Windows that end after the last
 * generated event (of the generator task furthest behind) are left out: the run stopped inside them, so their last update comes
 * before their end and says nothing about latency.
 */
export async function windowLatency(redis, topology = 'ysb') {
  const [rows, h] = await Promise.all([redis.hgetall(`${UPDATED_PREFIX}${topology}`), redis.hgetall(RUN_KEY)]);
  const lastEvent = h.start !== undefined ? Number(h.start) + (Math.min(...emittedOf(h).next) * 1000) / Number(h.rate) : Infinity;
  const lat = Object.entries(rows)
    .map(([field, ms]) => ({ end: Number(field.slice(field.lastIndexOf(':') + 1)) + WINDOW_MS, ms: Number(ms) }))
    .filter((w) => w.end <= lastEvent)
    .map((w) => w.ms - w.end)
    .sort((a, b) => a - b);
  const q = (p) => (lat.length === 0 ? null : lat[Math.min(lat.length - 1, Math.ceil((p / 100) * lat.length) - 1)]);
  return { windows: lat.length, p50: q(50), p90: q(90), p99: q(99), max: lat.length ? lat[lat.length - 1] : null };
}
