/**
 * Transport candidate (b): msgpackr batches through a SharedArrayBuffer SPSC
 * ring (RingChannel) between two worker threads.
 *
 * The ring copies the frame in, so msgpackr's reused output buffer can be
 * handed over as-is; the consumer decodes straight from the shared memory.
 */
import { RingChannel } from '../../src/runtime/transport/ring.js';
import type { ScenarioResult } from '../lib/report.js';
import { countingSink, makeBatch, makeCodec, ownBytes } from '../lib/tuples.js';
import { registerRole, spawnRole, nextMessage } from '../lib/workers.js';
import { TupleClock, collectThroughput, repeatThroughput, pingLoop, summarizeRtts, transportConfig } from '../lib/transport.js';
import type { TransportConfig } from '../lib/transport.js';

const RING_BYTES = 1 << 20;

interface ThroughputData {
  shared: SharedArrayBuffer;
  cfg: TransportConfig;
}

registerRole('ring-producer', async (raw) => {
  const { shared, cfg } = raw as ThroughputData;
  const ring = RingChannel.fromShared(shared);
  const codec = makeCodec(cfg.layout);
  // A handful of distinct batches so the encoder sees varying data.
  const batches = Array.from({ length: 16 }, (_, i) => makeBatch(cfg.batchSize, i * cfg.batchSize));
  const total = cfg.warmupBatches + cfg.batches;
  const fixed = cfg.payloadOnly ? ownBytes(codec.encode(batches[0]!)) : null;
  for (let i = 0; i < total; i++) {
    const frame = fixed ?? codec.encode(batches[i & 15]!);
    while (!ring.trySend(frame)) await ring.waitForSpace();
  }
});

registerRole('ring-consumer', async (raw, parent) => {
  const { shared, cfg } = raw as ThroughputData;
  const ring = RingChannel.fromShared(shared);
  const codec = makeCodec(cfg.layout);
  const clock = new TupleClock(cfg, (r) => parent.postMessage(r));
  let done = false;
  const onFrame = (f: Uint8Array): void => {
    if (cfg.payloadOnly) clock.checksum += f[0]!;
    done = clock.add(cfg.payloadOnly ? cfg.batchSize : codec.decode(f, countingSink));
  };
  while (!done) {
    ring.drain(onFrame);
    if (!done) await ring.waitForData();
  }
});

interface PingData {
  there: SharedArrayBuffer;
  back: SharedArrayBuffer;
  cfg: TransportConfig;
}

/** Reads exactly one frame, parking on the ring while it is empty. */
async function receiveOne(ring: RingChannel, onFrame: (f: Uint8Array) => void): Promise<void> {
  while (ring.drain(onFrame, 1) === 0) await ring.waitForData();
}

registerRole('ring-echo', async (raw) => {
  const { there, back, cfg } = raw as PingData;
  const inbox = RingChannel.fromShared(there);
  const outbox = RingChannel.fromShared(back);
  const codec = makeCodec(cfg.layout);
  let reply: Uint8Array = new Uint8Array(0);
  const onFrame = (f: Uint8Array): void => {
    // Decode (the cost a receiving task pays), then re-encode the same tuples.
    const tuples = makeBatch(0);
    codec.decode(f, (target, anchors, values) => tuples.push([target, 0, 0, anchors, values]));
    reply = codec.encode(tuples);
  };
  for (;;) {
    await receiveOne(inbox, onFrame);
    while (!outbox.trySend(reply)) await outbox.waitForSpace();
  }
});

registerRole('ring-pinger', async (raw, parent) => {
  const { there, back, cfg } = raw as PingData;
  const outbox = RingChannel.fromShared(there);
  const inbox = RingChannel.fromShared(back);
  const codec = makeCodec(cfg.layout);
  const batch = makeBatch(cfg.pingBatchSize);
  const onFrame = (f: Uint8Array): void => void codec.decode(f, countingSink);
  const rtts = await pingLoop(
    cfg.pings,
    Math.min(500, cfg.pings),
    () => void outbox.trySend(codec.encode(batch)),
    () => receiveOne(inbox, onFrame),
  );
  parent.postMessage(rtts);
});

export async function rawChannel(quick: boolean, overrides: Partial<TransportConfig> = {}): Promise<ScenarioResult> {
  const cfg = transportConfig(quick, overrides);
  const { tuplesPerSec, samples } = await repeatThroughput(cfg, () => {
    const ring = RingChannel.create(RING_BYTES);
    const consumer = spawnRole('ring-consumer', { shared: ring.shared, cfg });
    const producer = spawnRole('ring-producer', { shared: ring.shared, cfg });
    return collectThroughput(producer, consumer);
  });

  let latency;
  if (cfg.pings > 0) {
    const data: PingData = { there: RingChannel.create(1 << 16).shared, back: RingChannel.create(1 << 16).shared, cfg };
    const echo = spawnRole('ring-echo', data);
    const pinger = spawnRole('ring-pinger', data);
    latency = summarizeRtts(await nextMessage<number[]>(pinger));
    await Promise.all([echo.terminate(), pinger.terminate()]);
  }
  return {
    name: 'raw-channel',
    config: { transport: 'sab-ring', ringBytes: RING_BYTES, ...cfg },
    tuplesPerSec,
    samples,
    latency,
  };
}
