/**
 * Records which message ids a spout saw acked or failed, and lets a test wait for a
 * condition on them. Waiters are checked on every record (not on a polling timer), so a
 * test resumes as soon as the ack it waits for arrives.
 */
import type { MessageId } from '../api/components.js';

interface Waiter {
  readonly test: () => boolean;
  readonly resolve: () => void;
}

/** Thrown by {@link AckFailTracker.waitFor} when the condition does not hold in time. */
export class WaitTimeoutError extends Error {}

/** Ack and fail bookkeeping per message id, as Storm's testing tracker. */
export class AckFailTracker {
  private readonly ackedIds: MessageId[] = [];
  private readonly failedIds: MessageId[] = [];
  private waiters: Waiter[] = [];

  /** Record that the tree rooted at `msgId` completed. */
  recordAck(msgId: MessageId): void {
    this.ackedIds.push(msgId);
    this.wake();
  }

  /** Record that the tree rooted at `msgId` failed or timed out. */
  recordFail(msgId: MessageId): void {
    this.failedIds.push(msgId);
    this.wake();
  }

  /** Every acked message id, in the order the acks arrived (repeats kept: a replayed id may be acked twice). */
  acked(): MessageId[] {
    return [...this.ackedIds];
  }

  /** Every failed message id, in arrival order (a tuple failed twice appears twice). */
  failed(): MessageId[] {
    return [...this.failedIds];
  }

  /** True when `msgId` has been acked at least once. */
  isAcked(msgId: MessageId): boolean {
    return this.ackedIds.includes(msgId);
  }

  /** True when `msgId` has failed at least once. */
  isFailed(msgId: MessageId): boolean {
    return this.failedIds.includes(msgId);
  }

  /**
   * Resolve once `predicate` returns true (checked now and after each ack or fail);
   * reject with a {@link WaitTimeoutError} listing what was seen after `timeoutMs`.
   */
  waitFor(predicate: (tracker: AckFailTracker) => boolean, timeoutMs = 5000): Promise<void> {
    if (predicate(this)) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        test: () => predicate(this),
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new WaitTimeoutError(
          `condition not met within ${timeoutMs} ms (acked: ${show(this.ackedIds)}; failed: ${show(this.failedIds)})`,
        ));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** Forget everything recorded so far (pending waiters stay). */
  clear(): void {
    this.ackedIds.length = 0;
    this.failedIds.length = 0;
  }

  private wake(): void {
    if (this.waiters.length === 0) return;
    // A predicate that throws (a test's bug) must not throw into the spout's ack path: the wait times out instead.
    const still: Waiter[] = [];
    for (const w of this.waiters) {
      let done = false;
      try {
        done = w.test();
      } catch {
        done = false;
      }
      if (done) w.resolve();
      else still.push(w);
    }
    this.waiters = still;
  }
}

/** Short rendering of an id list for error messages (long lists are cut). */
function show(ids: readonly MessageId[]): string {
  if (ids.length === 0) return 'none';
  const head = ids.slice(0, 20).map((id) => JSON.stringify(id)).join(', ');
  return ids.length > 20 ? `${head}, ... (${ids.length} in all)` : head;
}
