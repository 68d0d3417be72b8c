/**
 * Quiescence across threads without messages: a run is idle when no thread is busy, every
 * frame sent has been processed, and no thread recorded any activity over a short window
 * (two equal samples). Used to end `ackers: 0` runs, between `finish` levels, and by tests.
 * A stopped run with acking on drains instead: until no tree is pending.
 */
import type { SharedState } from './shared-state.js';
import type { RuntimeConfig } from './config.js';

const DRAIN_POLL_MS = 20;

function sample(s: SharedState, alive: (w: number) => boolean): string | null {
  const n = s.workers;
  let act = 0;
  for (let w = 0; w < n; w++) {
    if (!alive(w)) continue;
    if (Atomics.load(s.busy, w) !== 0 || Atomics.load(s.congestion, w) !== 0) return null;
    act += Atomics.load(s.activity, w);
    for (let p = 0; p < n; p++) {
      if (p !== w && alive(p) && s.inflight(w, p) > 0) return null;
    }
  }
  return String(act);
}

export async function waitIdle(
  s: SharedState,
  alive: (w: number) => boolean,
  timeoutMs: number,
  windowMs = 15,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let prev: string | null = null;
  while (Date.now() < deadline) {
    const cur = sample(s, alive);
    if (cur !== null && cur === prev) return true;
    prev = cur;
    await new Promise((r) => setTimeout(r, windowMs));
  }
  return false;
}

/** A stopped run's drain: wait for pending trees (up to the message timeout); false if some remain. */
export async function waitDrained(
  s: SharedState,
  config: RuntimeConfig,
  alive: (w: number) => boolean,
  simulatedTime: boolean,
): Promise<boolean> {
  const deadline = Date.now() + config.messageTimeoutMs + 1000;
  if (config.ackers === 0) return waitIdle(s, alive, config.messageTimeoutMs);
  if (simulatedTime) {
    // Under simulated time a tree still pending once the run is idle waits for time that
    // only the test moves: it cannot drain by itself.
    await waitIdle(s, alive, 2000);
    return s.totalPending() === 0;
  }
  while (Date.now() < deadline) {
    if (s.totalPending() === 0) return true;
    await new Promise((r) => setTimeout(r, DRAIN_POLL_MS));
  }
  return s.totalPending() === 0;
}
