/**
 * Transport baseline (c): one postMessage per tuple, structured clone, no
 * batching and no msgpackr. This is what a first-cut runtime would do and is
 * the floor the batched transports must clearly beat.
 */
import { MessageChannel } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import type { ScenarioResult } from '../lib/report.js';
import type { WireTuple } from '../lib/tuples.js';
import { countingSink, makeBatch } from '../lib/tuples.js';
import { registerRole, spawnRole } from '../lib/workers.js';
import { TupleClock, collectThroughput, repeatThroughput, transportConfig } from '../lib/transport.js';
import type { TransportConfig } from '../lib/transport.js';

// Same in-flight bound as the batched port bench, counted in tuples.
const WINDOW_TUPLES = 64_000;
const CREDIT_EVERY = 1000;

interface NaiveData {
  port: MessagePort;
  cfg: TransportConfig;
}

registerRole('naive-producer', async (raw) => {
  const { port, cfg } = raw as NaiveData;
  const tuples = makeBatch(cfg.batchSize * 16);
  let credits = WINDOW_TUPLES;
  let wake: (() => void) | null = null;
  port.on('message', (n: number) => {
    credits += n;
    wake?.();
  });
  const total = (cfg.warmupBatches + cfg.batches) * cfg.batchSize;
  for (let i = 0; i < total; i++) {
    while (credits === 0) await new Promise<void>((r) => (wake = r));
    credits--;
    port.postMessage(tuples[i % tuples.length]);
  }
});

registerRole('naive-consumer', (raw, parent) => {
  const { port, cfg } = raw as NaiveData;
  const clock = new TupleClock(cfg, (r) => parent.postMessage(r));
  let received = 0;
  port.on('message', (t: WireTuple) => {
    countingSink(t[0], t[3], t[4]);
    if (++received % CREDIT_EVERY === 0) port.postMessage(CREDIT_EVERY);
    if (clock.add(1)) port.close();
  });
});

export async function naivePostMessage(quick: boolean, overrides: Partial<TransportConfig> = {}): Promise<ScenarioResult> {
  // Per-tuple messages are ~100x slower; fewer tuples keep the run short.
  const cfg = transportConfig(quick, { warmupBatches: quick ? 20 : 100, batches: quick ? 100 : 500, pings: 0, ...overrides });
  const { tuplesPerSec, samples } = await repeatThroughput(cfg, () => {
    const ch = new MessageChannel();
    const consumer = spawnRole('naive-consumer', { port: ch.port1, cfg }, [ch.port1]);
    const producer = spawnRole('naive-producer', { port: ch.port2, cfg }, [ch.port2]);
    return collectThroughput(producer, consumer);
  });
  return {
    name: 'naive-postmessage',
    config: { transport: 'message-port', mode: 'per-tuple-clone', windowTuples: WINDOW_TUPLES, ...cfg },
    tuplesPerSec,
    samples,
  };
}
