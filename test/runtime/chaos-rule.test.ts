// The chaos scheduler's rule (src/runtime/chaos.ts), driven with a hand-set clock and shared
// counters: a kill is due `everyMs` after the previous one and happens only when every thread
// is up and each spout task has acked, since the previous kill, at least as many trees as it
// had pending at that kill (and at least one if trees are pending now).
import { describe, expect, it } from 'vitest';
import { ChaosScheduler, MIN_CHAOS_INTERVAL_MS } from '../../src/runtime/chaos.js';
import { SharedState } from '../../src/runtime/shared-state.js';
import { RunError } from '../../src/runtime/physical-plan.js';
import type { Plan } from '../../src/topology/plan.js';
import type { Assignment } from '../../src/runtime/messages.js';

// Two spout tasks (1, 2) on thread 0, bolts on threads 1 and 2.
const plan = { components: [{ id: 'a', kind: 'spout' }, { id: 'b', kind: 'spout' }, { id: 'x', kind: 'bolt' }] } as unknown as Plan;
const assignment = {
  workers: 3, taskWorker: [-1, 0, 0, 1, 2], taskComponent: ['', 'a', 'b', 'x', 'x'],
  componentTasks: { a: [1], b: [2], x: [3, 4] }, ackerForSpoutTask: [],
} as unknown as Assignment;

function setup(maxKills?: number) {
  const shared = new SharedState(3, 4);
  const killed: number[] = [];
  const events: string[] = [];
  let up = true;
  const chaos = new ChaosScheduler({ everyMs: 200, maxKills }, {
    shared, plan, assignment, allThreadsUp: () => up, kill: (w) => killed.push(w), event: (e) => events.push(e),
  });
  const set = (task: number, pending: number, acked: number): void => {
    Atomics.store(shared.spoutPending, task, pending);
    Atomics.store(shared.spoutAcked, task, acked);
  };
  return { chaos, killed, events, set, setUp: (v: boolean) => (up = v) };
}

describe('chaos scheduler', () => {
  it('kills only threads without a spout, at most once per interval', () => {
    const { chaos, killed } = setup();
    chaos.start(0);
    chaos.stop();
    expect(chaos.check(199)).toBe(false);
    expect(chaos.check(200)).toBe(true);
    expect(chaos.check(399)).toBe(false);
    expect(chaos.check(400)).toBe(true);
    expect(killed.every((w) => w === 1 || w === 2)).toBe(true);
  });

  it('waits until each spout task acked as many trees as it had pending at the previous kill', () => {
    const { chaos, killed, set, events } = setup();
    chaos.start(0);
    chaos.stop();
    set(1, 30, 0);
    set(2, 0, 0);
    // Trees pending on 'a', none acked since activation: not earned yet, however late it is.
    expect(chaos.check(10_000)).toBe(false);
    set(1, 30, 1);
    expect(chaos.check(10_000)).toBe(true);
    expect(events[0]).toMatch(/chaos: killing worker [12] \(kill 1\): a:1 acked 1 since the previous kill, 0 pending then, 30 now; b:2 acked 0/);
    // 30 pending at that kill: 29 acks are not enough, 30 are.
    set(1, 30, 30);
    expect(chaos.check(20_000)).toBe(false);
    set(1, 30, 31);
    expect(chaos.check(20_000)).toBe(true);
    // 'b' now has trees pending and has acked none since: it holds the next kill back.
    set(2, 5, 0);
    set(1, 0, 100);
    expect(chaos.check(30_000)).toBe(false);
    expect(chaos.progressShort()).toBe(2);
    set(2, 5, 1);
    expect(chaos.check(30_000)).toBe(true);
    expect(killed.length).toBe(3);
  });

  it('a spout task that drained to nothing pending still owes the acks for what the previous kill found pending', () => {
    const { chaos, set } = setup();
    chaos.start(0);
    chaos.stop();
    set(1, 40, 1);
    expect(chaos.check(1000)).toBe(true);
    // The kill failed the 40; nothing pending while they wait to be replayed: still not earned.
    set(1, 0, 1);
    expect(chaos.check(2000)).toBe(false);
    set(1, 0, 41);
    expect(chaos.check(2000)).toBe(true);
  });

  it('never kills while a thread is down or starting, and counts a restarted spout thread from zero', () => {
    const { chaos, set, setUp } = setup();
    chaos.start(0);
    chaos.stop();
    set(1, 10, 5);
    setUp(false);
    expect(chaos.check(1000)).toBe(false);
    setUp(true);
    expect(chaos.check(1000)).toBe(true);
    // The spout's thread restarted: its counter began again below the snapshot of 5.
    set(1, 10, 3);
    expect(chaos.check(2000)).toBe(false);
    set(1, 10, 10);
    expect(chaos.check(2000)).toBe(true);
  });

  it('stops after max kills', () => {
    const { chaos, killed } = setup(2);
    chaos.start(0);
    chaos.stop();
    expect(chaos.check(200)).toBe(true);
    expect(chaos.check(400)).toBe(true);
    expect(chaos.check(600)).toBe(false);
    expect(killed.length).toBe(2);
  });

  it('refuses an interval below the minimum, a bad max, and a plan with no thread to kill (exit code 2)', () => {
    const host = { shared: new SharedState(3, 4), plan, assignment, allThreadsUp: () => true, kill: () => {}, event: () => {} };
    const code = (f: () => unknown): number | undefined => {
      try {
        f();
      } catch (e) {
        return e instanceof RunError ? e.exitCode : -1;
      }
      return undefined;
    };
    expect(code(() => new ChaosScheduler({ everyMs: MIN_CHAOS_INTERVAL_MS - 1 }, host))).toBe(2);
    expect(code(() => new ChaosScheduler({ everyMs: MIN_CHAOS_INTERVAL_MS }, host))).toBeUndefined();
    expect(code(() => new ChaosScheduler({ everyMs: 200, maxKills: 0 }, host))).toBe(2);
    const allSpout = { ...assignment, taskWorker: [-1, 0, 1, 2, 2], workers: 2 } as unknown as Assignment;
    expect(code(() => new ChaosScheduler({ everyMs: 200 }, { ...host, assignment: allSpout }))).toBe(2);
  });
});
