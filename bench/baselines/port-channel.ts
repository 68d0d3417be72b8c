/**
 * Transport candidate (a): msgpackr batches over a MessagePort between two
 * worker threads.
 *
 * Modes:
 *  - transfer: copy msgpackr's output (it is a view into a reused buffer, so
 *    transferring that buffer would detach the encoder's scratch space) into
 *    an exactly-sized ArrayBuffer and transfer it.
 *  - clone: post the view without a transfer list; structured clone copies
 *    the view's whole backing ArrayBuffer, not just the view.
 *  - objects: skip msgpackr and let structured clone serialize the tuples.
 *
 * Flow control is a credit window, as a runtime would need: without it the
 * producer would queue every batch before the consumer decodes the first.
 */
import { MessageChannel } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import type { ScenarioResult } from '../lib/report.js';
import { consumeNested, countingSink, makeBatch, makeCodec, ownBytes } from '../lib/tuples.js';
import { registerRole, spawnRole, nextMessage } from '../lib/workers.js';
import { TupleClock, collectThroughput, repeatThroughput, pingLoop, summarizeRtts, transportConfig } from '../lib/transport.js';
import type { TransportConfig } from '../lib/transport.js';

export type PortMode = 'transfer' | 'clone' | 'objects';
const WINDOW = 64; // batches in flight
const CREDIT_EVERY = 16;

interface PortData {
  port: MessagePort;
  cfg: TransportConfig;
  mode: PortMode;
}

registerRole('port-producer', async (raw) => {
  const { port, cfg, mode } = raw as PortData;
  const codec = makeCodec(cfg.layout);
  const batches = Array.from({ length: 16 }, (_, i) => makeBatch(cfg.batchSize, i * cfg.batchSize));
  let credits = WINDOW;
  let wake: (() => void) | null = null;
  port.on('message', (n: number) => {
    credits += n;
    wake?.();
  });
  const total = cfg.warmupBatches + cfg.batches;
  const fixed = cfg.payloadOnly ? ownBytes(codec.encode(batches[0]!)) : null;
  for (let i = 0; i < total; i++) {
    while (credits === 0) await new Promise<void>((r) => (wake = r));
    credits--;
    const batch = batches[i & 15]!;
    if (fixed !== null) {
      // Transport only: the copy stays, because transfer needs a fresh buffer each time.
      const copy = ownBytes(fixed);
      port.postMessage(copy, [copy.buffer]);
    } else if (mode === 'objects') port.postMessage(batch);
    else if (mode === 'clone') port.postMessage(codec.encode(batch));
    else {
      const copy = ownBytes(codec.encode(batch));
      port.postMessage(copy, [copy.buffer]);
    }
  }
});

registerRole('port-consumer', (raw, parent) => {
  const { port, cfg, mode } = raw as PortData;
  const codec = makeCodec(cfg.layout);
  const clock = new TupleClock(cfg, (r) => parent.postMessage(r));
  let received = 0;
  port.on('message', (m: unknown) => {
    const n = cfg.payloadOnly
      ? cfg.batchSize
      : mode === 'objects'
        ? consumeNested(m, countingSink)
        : codec.decode(m as Uint8Array, countingSink);
    if (++received % CREDIT_EVERY === 0) port.postMessage(CREDIT_EVERY);
    if (clock.add(n)) port.close();
  });
});

registerRole('port-echo', (raw) => {
  const { port, cfg } = raw as PortData;
  const codec = makeCodec(cfg.layout);
  port.on('message', (m: Uint8Array) => {
    const tuples = makeBatch(0);
    codec.decode(m, (target, anchors, values) => tuples.push([target, 0, 0, anchors, values]));
    const copy = ownBytes(codec.encode(tuples));
    port.postMessage(copy, [copy.buffer]);
  });
});

registerRole('port-pinger', async (raw, parent) => {
  const { port, cfg } = raw as PortData;
  const codec = makeCodec(cfg.layout);
  const batch = makeBatch(cfg.pingBatchSize);
  let resolveEcho: () => void = () => {};
  port.on('message', (m: Uint8Array) => {
    codec.decode(m, countingSink);
    resolveEcho();
  });
  const rtts = await pingLoop(
    cfg.pings,
    Math.min(500, cfg.pings),
    () => {
      const copy = ownBytes(codec.encode(batch));
      port.postMessage(copy, [copy.buffer]);
    },
    () => new Promise<void>((r) => (resolveEcho = r)),
  );
  port.close();
  parent.postMessage(rtts);
});

export async function portChannel(
  quick: boolean,
  mode: PortMode = 'transfer',
  overrides: Partial<TransportConfig> = {},
): Promise<ScenarioResult> {
  // Only the transfer mode is a latency candidate; skip the probe otherwise.
  const cfg = transportConfig(quick, mode === 'transfer' ? overrides : { pings: 0, ...overrides });
  const { tuplesPerSec, samples } = await repeatThroughput(cfg, () => {
    const ch = new MessageChannel();
    const consumer = spawnRole('port-consumer', { port: ch.port1, cfg, mode }, [ch.port1]);
    const producer = spawnRole('port-producer', { port: ch.port2, cfg, mode }, [ch.port2]);
    return collectThroughput(producer, consumer);
  });

  let latency;
  if (cfg.pings > 0) {
    const pc = new MessageChannel();
    const echo = spawnRole('port-echo', { port: pc.port1, cfg, mode }, [pc.port1]);
    const pinger = spawnRole('port-pinger', { port: pc.port2, cfg, mode }, [pc.port2]);
    latency = summarizeRtts(await nextMessage<number[]>(pinger));
    await Promise.all([echo.terminate(), pinger.terminate()]);
  }
  return {
    name: `port-channel`,
    config: { transport: 'message-port', mode, window: WINDOW, ...cfg },
    tuplesPerSec,
    samples,
    latency,
  };
}
