/**
 * What the two BullMQ baselines share: the job options and worker settings of the
 * configuration they run in (stated in every row's config), a feeder that adds jobs with
 * `addBulk` in chunks while bounding the jobs in flight, latency percentiles, and a progress
 * line on stderr.
 *
 * Why bound the jobs in flight: a producer that enqueues everything up front measures how
 * long jobs wait in Redis, not how fast the pipeline runs, and grows Redis's memory with the
 * input. The topologies bound theirs the same way (maxSpoutPending), so the latencies compare.
 */
import * as hdr from 'hdr-histogram-js';
import type { Queue } from 'bullmq';
import type { RowLatency } from './report.js';

/** The best honest configuration found on this machine (see README "Benchmarks"). */
export const BULLMQ_CONFIG = {
  /** Jobs one Worker runs at once (the "around 50"). */
  concurrency: 50,
  /** Jobs per addBulk call (one MULTI of job scripts per call). */
  chunk: 500,
  /**
   * Source items in flight at most (added, not yet through the last stage): enough to keep
   * both workers' 50 slots full; more only adds queueing time to the latency.
   */
  maxInFlight: 2000,
  /**
   * Completed jobs are deleted at once (no completed set to grow and trim), failed ones kept
   * so a failure can be inspected; one attempt (a failure fails the run, it is not retried).
   */
  removeOnComplete: true,
} as const;

export const JOB_OPTS = { removeOnComplete: BULLMQ_CONFIG.removeOnComplete, removeOnFail: false, attempts: 1 } as const;

/** The connection every Queue and Worker opens (BullMQ needs maxRetriesPerRequest null on workers). */
export function connectionOf(port: number): { host: string; port: number; maxRetriesPerRequest: null } {
  return { host: '127.0.0.1', port, maxRetriesPerRequest: null };
}

/**
 * Adds `total` items through `queue` in addBulk chunks, never more than `maxInFlight`
 * ahead of `done()` (the items through the last stage). Resolves once all are added.
 */
export class Feeder<T> {
  private added = 0;
  private wake: (() => void) | null = null;

  constructor(
    private readonly queue: Queue,
    private readonly make: (i: number) => T,
    private readonly done: () => number,
  ) {}

  get addedCount(): number {
    return this.added;
  }

  /** Called by the last stage after each item: lets the feeder add the next chunk. */
  notify(): void {
    const w = this.wake;
    if (w !== null && this.added - this.done() <= BULLMQ_CONFIG.maxInFlight - BULLMQ_CONFIG.chunk) {
      this.wake = null;
      w();
    }
  }

  async feed(total: number): Promise<void> {
    const end = this.added + total;
    while (this.added < end) {
      while (this.added - this.done() > BULLMQ_CONFIG.maxInFlight - BULLMQ_CONFIG.chunk) {
        await new Promise<void>((resolve) => (this.wake = resolve));
      }
      const n = Math.min(BULLMQ_CONFIG.chunk, end - this.added);
      const jobs = [];
      for (let i = 0; i < n; i++) jobs.push({ name: 'j', data: this.make(this.added + i), opts: JOB_OPTS });
      this.added += n;
      await this.queue.addBulk(jobs);
    }
  }
}

/** Waits until `cond()` holds, checking every 20 ms; throws `onTimeout()` after `ms`. */
export async function until(cond: () => boolean, ms: number, onTimeout: () => string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(onTimeout());
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** End-to-end latencies (ms, from the job's add to the end of its last stage) as a table row's latency. */
export function latencyOf(samplesMs: readonly number[]): RowLatency | undefined {
  if (samplesMs.length === 0) return undefined;
  const h = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3 });
  for (const ms of samplesMs) h.recordValue(Math.max(1, Math.round(ms * 1000)));
  const out: RowLatency = {
    kind: 'complete',
    p50us: h.getValueAtPercentile(50),
    p99us: h.getValueAtPercentile(99),
    p999us: h.getValueAtPercentile(99.9),
    maxus: h.maxValue,
    samples: samplesMs.length,
  };
  h.destroy();
  return out;
}

/** A progress line on stderr every 2 s (rate, in flight, failures) until stopped. */
export function progress(label: string, unit: string, counted: () => number, inFlight: () => number, failed: () => number): () => void {
  let last = counted(), lastAt = performance.now();
  const timer = setInterval(() => {
    const now = performance.now(), c = counted();
    const rate = ((c - last) / (now - lastAt)) * 1000;
    process.stderr.write(`  ${label}: ${c} ${unit}, ${Math.round(rate)} ${unit}/s, ${inFlight()} in flight, ${failed()} failed\n`);
    last = c;
    lastAt = now;
  }, 2000);
  timer.unref();
  return () => clearInterval(timer);
}
