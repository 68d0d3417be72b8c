/**
 * The scenario registry: every row `npm run bench` can produce.
 *
 * Each scenario runs in its own child process (see run.ts), so a scenario is
 * free to spawn workers, allocate, and leave JIT state behind. `run` returns
 * one or more results; `tuplesPerSec` rows get a ratio to the `limit`
 * scenario (a single-thread plain loop) in the printed table.
 *
 * Adding a scenario: append an entry below. Keep names stable; they are the
 * keys in bench/results/*.json and the values accepted by `--only`.
 */
import type { ScenarioResult } from './lib/report.js';
import { portChannel } from './baselines/port-channel.js';
import { rawChannel } from './baselines/raw-channel.js';
import { naivePostMessage } from './baselines/naive-postmessage.js';
import { limit } from './baselines/limit.js';
import { nodeStreams } from './baselines/node-streams.js';
import { microCodec } from './micro/codec.js';
import { microIds } from './micro/ids.js';
import { microRuntimeParts } from './micro/runtime-parts.js';
import { batchScenario } from './lib/batch.js';
import { duckdbBatchScenario } from './lib/duckdb-batch.js';
import { TOPOLOGY_VARIANTS, topologyRow, type TopologyBench } from './lib/topology.js';
import { throughputVsLatency } from './lib/throughput-latency.js';
import { memoryVariant, pageviewsRedis } from './lib/pageviews-redis.js';
import { speedFlush } from './lib/speed-flush.js';
import { bullmqWordcount } from './baselines/bullmq-wordcount.js';
import { bullmqPageviews } from './baselines/bullmq-pageviews.js';
import { YSB_VARIANTS, ysbScenario } from './lib/ysb.js';
import { SKEWED_VARIANTS, skewedShuffle } from './lib/skewed-shuffle.js';
import { queryLatency } from './lib/query-latency.js';

export interface RunOptions {
  quick: boolean;
  /** Set for scenarios with `variants`: the one this child runs. */
  variant?: string;
}

export interface Scenario {
  name: string;
  group: 'baseline' | 'transport' | 'micro' | 'topology';
  description: string;
  /** Run once per variant, each in its own child process (one row each). */
  variants?: readonly string[];
  /** The scenario a user would otherwise pick for the same work: the table shows the ratio to it. */
  peer?: string;
  run(opts: RunOptions): Promise<ScenarioResult | ScenarioResult[]>;
}

/** A storm-perf style topology scenario: 4 rows (acking on/off x 1/N worker threads). */
function topologyScenario(name: string, bench: TopologyBench, description: string): Scenario {
  return {
    name,
    group: 'topology',
    description,
    variants: TOPOLOGY_VARIANTS,
    run: ({ quick, variant }) => topologyRow(name, bench, variant ?? 'ack-wN', quick),
  };
}

export const scenarios: Scenario[] = [
  // --- single-thread word count ceilings (words/s) ---
  {
    name: 'limit',
    group: 'baseline',
    description: 'word count as a plain loop in one thread (the ratio denominator)',
    run: async ({ quick }) => limit(quick),
  },
  // --- what a Node user would otherwise pick: queues and workers (peers of wordcount, pageviews-redis) ---
  {
    name: 'bullmq-wordcount',
    group: 'baseline',
    description: 'limit\'s word count as BullMQ queues split -> count (1 job/sentence/stage) on a redis-server it starts; words/s',
    run: ({ quick }) => bullmqWordcount(quick),
  },
  {
    name: 'bullmq-pageviews',
    group: 'baseline',
    description: 'pageviews-redis\'s counting (pageviews, uniques) as 1 BullMQ job per log line on a redis-server it starts; events/s',
    run: ({ quick }) => bullmqPageviews(quick),
  },
  {
    name: 'duckdb-batch',
    group: 'baseline',
    description: 'batch\'s three views in DuckDB (read_json, GROUP BY, window functions for visits), 2 threads, same master files; events/s',
    run: ({ quick }) => duckdbBatchScenario(quick),
  },
  {
    name: 'node-streams',
    group: 'baseline',
    description: 'word count as object-mode Readable -> Transform -> Writable in one thread',
    run: ({ quick }) => nodeStreams(quick),
  },

  // --- transport candidates between two worker threads (1000-tuple batches) ---
  {
    name: 'port-transfer',
    group: 'transport',
    description: 'MessagePort, msgpackr nested batch, copied + ArrayBuffer transferred',
    run: ({ quick }) => portChannel(quick, 'transfer'),
  },
  {
    name: 'port-transfer-flat',
    group: 'transport',
    description: 'as port-transfer, flat batch layout',
    run: ({ quick }) => portChannel(quick, 'transfer', { layout: 'flat', pings: 0 }),
  },
  {
    name: 'port-clone',
    group: 'transport',
    description: 'MessagePort, msgpackr batch posted without transfer (structured clone copy)',
    run: ({ quick }) => portChannel(quick, 'clone'),
  },
  {
    name: 'port-objects',
    group: 'transport',
    description: 'MessagePort, tuple arrays posted as-is (structured clone, no msgpackr)',
    run: ({ quick }) => portChannel(quick, 'objects'),
  },
  {
    name: 'raw-channel',
    group: 'transport',
    description: 'SharedArrayBuffer SPSC ring (RingChannel), msgpackr nested batch',
    run: ({ quick }) => rawChannel(quick),
  },
  {
    name: 'raw-channel-flat',
    group: 'transport',
    description: 'as raw-channel, flat batch layout',
    run: ({ quick }) => rawChannel(quick, { layout: 'flat', pings: 0 }),
  },
  {
    name: 'port-transfer-bytes',
    group: 'transport',
    description: 'transport cost only: one pre-encoded 1000-tuple frame, copied + transferred, not decoded',
    run: ({ quick }) => portChannel(quick, 'transfer', { payloadOnly: true, pings: 0 }),
  },
  {
    name: 'raw-channel-bytes',
    group: 'transport',
    description: 'transport cost only: one pre-encoded 1000-tuple frame through the ring, not decoded',
    run: ({ quick }) => rawChannel(quick, { payloadOnly: true, pings: 0 }),
  },
  {
    name: 'naive-postmessage',
    group: 'transport',
    description: 'one postMessage (structured clone) per tuple',
    run: ({ quick }) => naivePostMessage(quick),
  },

  // --- micro-benchmarks (benchmark package; ops/s) ---
  {
    name: 'micro-codec',
    group: 'micro',
    description: 'msgpackr encode/decode of one 1000-tuple batch: layouts, Packr reuse, records',
    run: async ({ quick }) => microCodec(quick),
  },
  {
    name: 'micro-ids',
    group: 'micro',
    description: '64-bit edge ids as int32 pairs: xorshift128+ vs crypto.getRandomValues',
    run: async ({ quick }) => microIds(quick),
  },
  {
    name: 'micro-runtime',
    group: 'micro',
    description: 'acker ledger (typed table vs Map), grouping routing, ring send/receive, frame encode+decode',
    run: async ({ quick }) => microRuntimeParts(quick),
  },

  // --- topology scenarios (storm-perf names; bench/topologies/, run over worker threads) ---
  topologyScenario(
    'const-spout-null-bolt',
    { topology: 'const-spout-null-bolt', lastBolt: 'sink', unit: 'tuples' },
    'constant spout -shuffle-> bolt that acks and drops',
  ),
  topologyScenario(
    'const-spout-id-bolt-null-bolt',
    { topology: 'const-spout-id-bolt-null-bolt', lastBolt: 'sink', unit: 'tuples' },
    'constant spout -shuffle-> id bolt (anchored re-emit) -shuffle-> null bolt',
  ),
  {
    ...topologyScenario(
      'wordcount',
      { topology: 'wordcount', lastBolt: 'count', unit: 'words' },
      'limit\'s word count as spout -> split (anchored) -fields-> count; words/s',
    ),
    peer: 'bullmq-wordcount',
  },
  {
    name: 'batch',
    group: 'topology',
    description: 'topo batch over the shipped log replayed to ~1M master records (100k quick), checked against DuckDB\'s views; events/s',
    variants: ['threads-1', 'threads-2'],
    peer: 'duckdb-batch',
    run: ({ quick, variant }) => batchScenario(quick, variant ?? 'threads-1'),
  },
  {
    name: 'pageviews-redis',
    group: 'topology',
    description: 'topologies/pageviews.ts over the shipped log replayed to ~1M lines (30k quick) into a redis-server, master sink on; events/s',
    peer: 'bullmq-pageviews',
    run: ({ quick }) => pageviewsRedis(quick),
  },
  {
    // The writer's flush path alone (the same updates, no topology): Redis CPU and client CPU per event.
    name: 'speed-flush',
    group: 'topology',
    description: 'the view writer\'s flushes of pageviews-redis\'s updates (100k lines, 30k quick) into a redis-server; events/s, Redis and client CPU per event',
    run: ({ quick }) => speedFlush(quick),
  },
  {
    // Memory must not grow with the input: the same run at 1, 2 and 4 M lines (peak RSS is the
    // row's figure), and at 1 M lines with other maxSpoutPending values (how it was chosen).
    // Not in the default run's time budget: ~15 minutes in all on 2 cores.
    name: 'pageviews-memory',
    group: 'topology',
    description: 'pageviews-redis at 1/2/4 M lines and at 1 M with maxSpoutPending 1000-10000 (30k-120k quick); peak RSS, heap per thread',
    variants: ['1M', '2M', '4M', '1M-msp1000', '1M-msp2000', '1M-msp3000', '1M-msp5000', '1M-msp10000'],
    run: ({ quick, variant }) => {
      const o = memoryVariant(variant ?? '1M');
      return pageviewsRedis(quick, quick ? { ...o, events: Math.round(o.events / 33) } : o);
    },
  },
  {
    // The Yahoo Streaming Benchmark (topologies/ysb.ts, docs/ysb.md): its own metric, not tuples/s.
    name: 'ysb',
    group: 'topology',
    description: 'topologies/ysb.ts from its generator at 50k/100k/170k events/s for 35 s (12 s quick), exactly-once and chaos variants; YSB latency (last update - window end) p50/p99, delivered events/s, windows not exact',
    variants: YSB_VARIANTS,
    run: ({ quick, variant }) => ysbScenario(quick, variant ?? '50k'),
  },
  {
    name: 'query-latency',
    group: 'topology',
    description: 'topo query on the embedded default (private redis-server up, the shipped log in it): wall ms from process start to exit, 40 runs (10 quick); target 100 ms',
    run: ({ quick }) => queryLatency(quick),
  },
  {
    name: 'throughput-vs-latency',
    group: 'topology',
    description: 'rate-limited id-bolt topology at 10/50/90% of its measured max and at 100k/s; latency from intended emit',
    run: ({ quick }) => throughputVsLatency(quick),
  },
  {
    name: 'skewed-shuffle',
    group: 'topology',
    description: 'rate-limited spout (12k/s) -shuffle-> 2 tasks, one stalled 2 ms every 10 tuples (and an even control), loadAwareShuffle off/on; latency from intended emit',
    variants: SKEWED_VARIANTS,
    run: ({ quick, variant }) => skewedShuffle(quick, variant ?? 'skewed-shuffle'),
  },
];
