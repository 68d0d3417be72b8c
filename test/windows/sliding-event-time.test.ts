import { afterEach, describe, expect, it } from 'vitest';
import type { Step } from '../fixtures/windows/parts.js';
import { seededRandom } from '../helpers/random.js';
import { WindowRun } from './harness.js';

const L = 1000;
const S = 250;
const LAG = 300;
const KEYS = ['a', 'b', 'c', 'd'];
const FLUSH_TS = 1_000_000;

interface Ev { id: number; key: string; ts: number }

/** Per spout task: timestamps rising 7 ms a tuple, each moved back by up to LAG - 1 (out of order, within the lag). */
function events(task: number, n: number): Ev[] {
  const rnd = seededRandom(100 + task);
  return Array.from({ length: n }, (_, i) => ({
    id: task * 10_000 + i,
    key: KEYS[(i + task) % KEYS.length]!,
    ts: 2000 + i * 7 - Math.floor(rnd() * (LAG - 1)),
  }));
}

/** The windows by definition: for each key, every [end - L, end) with end a multiple of S holding one of its events. */
function expectedWindows(all: Ev[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const e of all) {
    for (let end = Math.ceil((e.ts + 1) / S) * S; end - L <= e.ts; end += S) {
      const k = `${e.key}@${end}`;
      out.set(k, [...(out.get(k) ?? []), e.id]);
    }
  }
  for (const ids of out.values()) ids.sort((x, y) => x - y);
  return out;
}

describe('sliding event-time windows across threads', () => {
  let run: WindowRun;
  afterEach(async () => run?.close());

  it('two spout tasks, out of order within the lag, two window tasks by key: every window holds exactly its events', async () => {
    const perTask = [events(0, 400), events(1, 400)];
    // Each spout task ends with one untracked far-future tuple per key, so every window task's
    // watermark passes the last real window; those windows are left out of the comparison.
    const script: Step[][] = perTask.map((evs, task) => [
      // Paced by the windows: event i waits for the ack of event i - 250 (its windows have
      // closed by then), so the watermark moves while input is still arriving out of order.
      ...evs.map((e, i): Step => ({ values: [e.id, e.key, e.ts], ...(i >= 250 ? { afterAck: evs[i - 250]!.id } : {}) })),
      ...KEYS.map((key, i): Step => ({ values: [-(task * 10 + i + 1), key, FLUSH_TS], tracked: false })),
    ]);
    run = await new WindowRun().start('sliding-event.ts', script);
    const summary = await run.completion();
    expect(summary.status).toBe('completed');
    expect(summary.spouts['events']).toMatchObject({ acked: 800, failed: 0 });

    const got = new Map<string, number[]>();
    for (const f of run.fires()) {
      if (f.end > FLUSH_TS - L) continue;
      const byKey = new Map<string, number[]>();
      const all = perTask.flat();
      for (const id of f.ids as number[]) {
        const key = all.find((e) => e.id === id)!.key;
        byKey.set(key, [...(byKey.get(key) ?? []), id]);
      }
      for (const [key, ids] of byKey) {
        const k = `${key}@${f.end}`;
        expect(got.has(k), `window ${k} fired twice`).toBe(false);
        got.set(k, ids.sort((x, y) => x - y));
      }
      expect(f.start).toBe(f.end - L);
      expect(f.update).toBe(false);
    }
    const expected = expectedWindows(perTask.flat());
    expect([...got.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [k, ids] of expected) expect(got.get(k), k).toEqual(ids);
    // The pacing made windows fire before the input ended (not all at the far-future tuples).
    const log = run.log();
    const lastEmitGate = log.findIndex((e) => e.ev === 'ack' && e.id === perTask[0]![149]!.id);
    expect(log.slice(0, lastEmitGate).filter((e) => e.ev === 'fire').length).toBeGreaterThan(10);
    // Nothing was late: the disorder stayed within the lag.
    expect(run.log().filter((e) => e.ev === 'late')).toEqual([]);
  });
});
