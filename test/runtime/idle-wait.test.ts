/**
 * How the worker loop waits (src/runtime/worker/idle-wait.ts): spin, nap or the poll timer,
 * chosen by how long ago the thread worked. The nap blocks on its doorbell only when no frame
 * was posted to it since its loop round began, for at most NAP_MS, with its napping flag up
 * only meanwhile; a sender wakes it only when that flag is up (Atomics.notify is not free).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SharedState } from '../../src/runtime/shared-state.js';
import { IdleWait, Nap, NAP_MS, NAP_WINDOW_MS } from '../../src/runtime/worker/idle-wait.js';

describe('nap', () => {
  afterEach(() => vi.restoreAllMocks());

  it('naps for NAP_MS when nothing was posted since the round began, and lowers its flag after', () => {
    const shared = new SharedState(2, 4);
    const wait = vi.spyOn(Atomics, 'wait');
    const nap = new Nap(shared, 1);
    nap.look();
    nap.take();
    expect(wait).toHaveBeenCalledTimes(1);
    expect(wait.mock.calls[0]![1]).toBe(1);
    expect(wait.mock.calls[0]![3]).toBe(NAP_MS);
    expect(Atomics.load(shared.napping, 1)).toBe(0);
  });

  it('does not nap when a frame was posted during the round (its message event is due)', () => {
    const shared = new SharedState(2, 4);
    const wait = vi.spyOn(Atomics, 'wait');
    const nap = new Nap(shared, 1);
    nap.look();
    shared.ring(1);
    nap.take();
    expect(wait).not.toHaveBeenCalled();
    // The next round looks afresh and naps again.
    nap.look();
    nap.take();
    expect(wait).toHaveBeenCalledTimes(1);
  });

  it('a sender notifies only a napping thread, and only that thread', () => {
    const shared = new SharedState(3, 4);
    const notify = vi.spyOn(Atomics, 'notify');
    shared.ring(2);
    expect(notify).not.toHaveBeenCalled();
    expect(Atomics.load(shared.doorbell, 2)).toBe(1);
    Atomics.store(shared.napping, 2, 1);
    shared.ring(2);
    expect(notify).toHaveBeenCalledTimes(1);
    expect(notify.mock.calls[0]![1]).toBe(2);
    expect(Atomics.load(shared.doorbell, 1)).toBe(0);
  });

  it('spins right after work, naps while a spout waits a moment after work, then sleeps on the 1 ms timer', () => {
    vi.useFakeTimers();
    try {
      const shared = new SharedState(2, 4);
      const wait = vi.spyOn(Atomics, 'wait').mockReturnValue('timed-out');
      const round = vi.fn();
      const schedule = vi.fn();
      const w = new IdleWait(new Nap(shared, 0), round, schedule);
      // Within idleSpinMs of work: poll again at once, no nap.
      w.roundStarted();
      w.wait(0.1, true, 0.25, true);
      expect(schedule).toHaveBeenCalledTimes(1);
      expect(wait).not.toHaveBeenCalled();
      // A spout waits, the thread worked a moment ago: nap, then go round.
      w.roundStarted();
      w.wait(5, true, 0, true);
      expect(wait).toHaveBeenCalledTimes(1);
      expect(schedule).toHaveBeenCalledTimes(2);
      // Quiet for longer than the nap window: the poll timer, which runs a round.
      w.roundStarted();
      w.wait(NAP_WINDOW_MS + 1, true, 0, true);
      expect(wait).toHaveBeenCalledTimes(1);
      expect(round).not.toHaveBeenCalled();
      vi.advanceTimersByTime(1);
      expect(round).toHaveBeenCalledTimes(1);
      // Nothing waits to be polled: sleep until a message (nothing scheduled at all).
      w.roundStarted();
      w.wait(5, true, 0, false);
      vi.advanceTimersByTime(5);
      expect(round).toHaveBeenCalledTimes(1);
      expect(schedule).toHaveBeenCalledTimes(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it('never naps without a Nap (the main thread, a simulated clock) or with the spouts deactivated', () => {
    vi.useFakeTimers();
    try {
      const round = vi.fn();
      const w = new IdleWait(null, round, vi.fn());
      w.wait(5, true, 0, true);
      vi.advanceTimersByTime(1);
      expect(round).toHaveBeenCalledTimes(1);
      const shared = new SharedState(2, 4);
      const wait = vi.spyOn(Atomics, 'wait');
      const inactive = new IdleWait(new Nap(shared, 0), round, vi.fn());
      inactive.roundStarted();
      inactive.wait(5, false, 0, true);
      expect(wait).not.toHaveBeenCalled();
    } finally {
      vi.useRealTimers();
    }
  });
});
