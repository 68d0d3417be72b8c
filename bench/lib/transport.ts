/**
 * Pieces shared by the three worker-to-worker transport baselines: the
 * config, the consumer-side clock, and the latency summary.
 *
 * Throughput is timed entirely on the consumer thread (first tuple after
 * warm-up to last tuple), so both ends use one clock and the figure includes
 * encode on the producer only insofar as it limits the rate, and decode on the
 * consumer always.
 */
import * as hdr from 'hdr-histogram-js';
import type { Worker } from 'node:worker_threads';
import type { Layout } from './tuples.js';
import { nextMessage, nowMs } from './workers.js';

export interface TransportConfig {
  layout: Layout;
  batchSize: number;
  warmupBatches: number;
  batches: number;
  /** Round trips for the idle latency probe (0 = skip). */
  pings: number;
  pingBatchSize: number;
  /** Fresh producer/consumer pairs timed; the median is reported (the box is shared and noisy). */
  reps: number;
  /**
   * Transport cost alone: the producer sends one pre-encoded frame over and
   * over and the consumer does not decode it.
   */
  payloadOnly: boolean;
}

export function transportConfig(quick: boolean, overrides: Partial<TransportConfig> = {}): TransportConfig {
  return {
    layout: 'nested',
    batchSize: 1000,
    warmupBatches: quick ? 200 : 1000,
    batches: quick ? 1000 : 5000,
    pings: quick ? 2000 : 10000,
    pingBatchSize: 10,
    reps: quick ? 3 : 5,
    payloadOnly: false,
    ...overrides,
  };
}

export interface ConsumerReport {
  t0: number;
  t1: number;
  tuples: number;
  checksum: number;
}

/** Counts tuples on the consumer and posts a ConsumerReport to the parent when done. */
export class TupleClock {
  private seen = 0;
  private t0 = 0;
  checksum = 0;
  private readonly warmup: number;
  private readonly total: number;

  constructor(cfg: TransportConfig, private readonly report: (r: ConsumerReport) => void) {
    this.warmup = cfg.warmupBatches * cfg.batchSize;
    this.total = (cfg.warmupBatches + cfg.batches) * cfg.batchSize;
  }

  /** Returns true once every expected tuple has arrived. */
  add(n: number): boolean {
    const before = this.seen;
    this.seen += n;
    if (before < this.warmup && this.seen >= this.warmup) this.t0 = nowMs();
    if (this.seen >= this.total) {
      this.report({ t0: this.t0, t1: nowMs(), tuples: this.seen - this.warmup, checksum: this.checksum });
      return true;
    }
    return false;
  }
}

/** Runs `once` cfg.reps times; returns the median and every sample (tuples/s). */
export async function repeatThroughput(
  cfg: TransportConfig,
  once: () => Promise<number>,
): Promise<{ tuplesPerSec: number; samples: number[] }> {
  const samples: number[] = [];
  for (let i = 0; i < cfg.reps; i++) samples.push(await once());
  const sorted = [...samples].sort((a, b) => a - b);
  return { tuplesPerSec: sorted[Math.floor(sorted.length / 2)]!, samples };
}

/** Waits for the consumer's report, then tears both workers down. */
export async function collectThroughput(producer: Worker, consumer: Worker): Promise<number> {
  const producerFailed = new Promise<never>((_, reject) => producer.once('error', reject));
  const report = await Promise.race([nextMessage<ConsumerReport>(consumer), producerFailed]);
  await Promise.all([producer.terminate(), consumer.terminate()]);
  return report.tuples / ((report.t1 - report.t0) / 1000);
}

export interface LatencySummary {
  /** One-way estimate: round trip / 2, microseconds. */
  p50us: number;
  p99us: number;
  maxus: number;
  samples: number;
}

/** Round trips in microseconds -> one-way percentiles. */
export function summarizeRtts(rttsUs: number[]): LatencySummary {
  const h = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: 3 });
  // Recorded in nanoseconds of one-way time so sub-microsecond detail survives.
  for (const r of rttsUs) h.recordValue(Math.max(1, Math.round((r / 2) * 1000)));
  const s: LatencySummary = {
    p50us: h.getValueAtPercentile(50) / 1000,
    p99us: h.getValueAtPercentile(99) / 1000,
    maxus: h.maxValue / 1000,
    samples: rttsUs.length,
  };
  h.destroy();
  return s;
}

/** Sequential ping-pong: every ping waits for its echo, so both sides are idle between pings. */
export async function pingLoop(
  count: number,
  warmup: number,
  ping: () => void,
  awaitEcho: () => Promise<void>,
): Promise<number[]> {
  const rtts: number[] = [];
  for (let i = 0; i < warmup + count; i++) {
    const t = performance.now();
    ping();
    await awaitEcho();
    if (i >= warmup) rtts.push((performance.now() - t) * 1000);
  }
  return rtts;
}
