/**
 * The Yahoo Streaming Benchmark (github yahoo/streaming-benchmarks) as a topo application,
 * through both layers of the Lambda Architecture, built only from the package's public entries.
 *
 * Ad events (JSON: user_id, page_id, ad_id, ad_type, event_type, event_time, ip_address) are
 * parsed, filtered to views, projected to (ad_id, event_time), joined ad -> campaign through
 * Redis with a local cache, grouped by campaign and counted per campaign per 10 s event-time
 * window: the view `campaigns`, written by the speed layer's view writer, with each window's
 * last-update time in `ysb:updated:ysb` (the benchmark's latency). Every event is also kept in
 * the master dataset `ysb-events`, so `topo batch` recomputes the same windows.
 *
 *   npx topo run topologies/ysb.ts -c rate=50000 -c events=500000          # the in-process generator
 *   node topologies/ysb/ysb.mjs check                                     # every window exact?
 *   npx topo batch topologies/ysb.ts && node topologies/ysb/ysb.mjs check
 *
 * Config: `rate` (events/s, default 10000), `events` (how many; default: until --duration or
 * Ctrl-C), `seed` (default 1), `skew` (true: +-50 ms, 1 in 100,000 events up to 60 s late),
 * `start` (epoch ms of event 0; default the run's start), `stream` (read this Redis stream
 * instead of generating; `group`, `stream.*` as in docs/streams.md), `rejects` (default
 * .topo/rejects/ysb.jsonl), `master` (default ./data/master), `ysb.ads` (the ad -> campaign
 * table file `topo batch` joins with; env YSB_ADS, default .topo/ysb/ad-to-campaign.json).
 * Env `YSB_GENERATORS`: input tasks (default 1; one per worker thread is fastest).
 * docs/ysb.md is the guide.
 */
import { TopologyBuilder } from '../src/index.js';
import { masterSink } from '../src/batch/index.js';
import { CampaignWriter, JoinBolt, ParseBolt, REJECTS, RejectsBolt } from './ysb/bolts.js';
import { YsbInput } from './ysb/input.js';
import { campaignsView, ysbBatchInput, ysbEvents, ysbJson } from './ysb/model.js';
import { RESOURCE, YsbThread } from './ysb/redis.js';

export const views = [campaignsView];
export const datasets = [ysbEvents];
export const formats = [ysbJson];
export const batchInput = ysbBatchInput;

/**
 * Input tasks (`YSB_GENERATORS`, default 1): the generator's schedule split over this many
 * spout tasks, or this many consumers of the stream. Read when the file is loaded, since a
 * component's parallelism is fixed when the topology is built. `--chaos kill-worker` needs a
 * worker thread with no spout task, so it wants fewer input tasks than workers.
 */
const GENERATORS = generatorsOf(process.env['YSB_GENERATORS']);
function generatorsOf(v: string | undefined): number {
  if (v === undefined || v === '') return 1;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new Error(`YSB_GENERATORS must be an integer from 1 to 64, got '${v}'`);
  return n;
}

const builder = new TopologyBuilder();
builder.addSharedResource(RESOURCE, () => new YsbThread(), (t) => t.close());
builder.setSpout('events', YsbInput, GENERATORS);
// One input task: parse shuffled, not local-or-shuffle, since the spout's thread kept parse,
// join and master to itself (profile at 60k/s target: that thread 95% busy, the other 90%
// idle; shuffled, 74% and 45%). One input task per thread: each thread parses its own lines,
// and no JSON line crosses threads.
const parse = builder.setBolt('parse', ParseBolt, 2);
if (GENERATORS > 1) parse.localOrShuffleGrouping('events');
else parse.shuffleGrouping('events');
builder.setBolt('join', JoinBolt, 2).localOrShuffleGrouping('parse');
// The benchmark's fields grouping: one writer task owns each campaign's windows.
builder.setBolt('views', CampaignWriter, 2).fieldsGrouping('join', ['campaign']).setTickFrequency(100);
builder.setBolt('master', masterSink({ dataset: ysbEvents, asyncFlush: true }), 2).localOrShuffleGrouping('parse', 'facts').setTickFrequency(200);
builder.setBolt('rejects', RejectsBolt, 1).globalGrouping('parse', REJECTS).globalGrouping('join', REJECTS);
export default builder.build('ysb', { maxSpoutPending: 5000 });
