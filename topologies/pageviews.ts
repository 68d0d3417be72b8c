/**
 * Pageviews: the speed layer of the Lambda Architecture book's SuperWebAnalytics example.
 * Access-log lines become three realtime views in Redis: pageviews per URL per hour, unique
 * visitors per URL per hour, and bounce rate per domain.
 *
 *   npx topo run topologies/pageviews.ts                  # the shipped log, a private redis-server
 *   npx topo run topologies/pageviews.ts -c input=access.log --redis redis://localhost:6379
 *
 * Config: `input` (default: the shipped topologies/data/apache_logs.log), `format`
 * (apache|jsonl, default by extension), `host` (page host for log lines, default
 * semicomplete.com), `rejects` (file for lines that do not parse, default
 * .topo/rejects/pageviews.jsonl), `master` (the master dataset root, default ./data/master).
 *
 * From a Redis stream instead of the file (`topo produce` fills it; several processes share it):
 *
 *   npx topo run topologies/pageviews.ts --redis redis://localhost:6379 -c stream=pageviews -c group=pv
 *
 * `stream` names the stream, `group` the consumer group (default `topo:pageviews`); the
 * `stream.*` options are in src/spouts/stream-settings.ts. Such a run does not end on its own:
 * stop it with --duration or Ctrl-C, or give `-c stream.idleExitMs=5000` to end once the
 * group has had nothing pending and nothing new for that long.
 */
import { dirname, join } from 'node:path';
import {
  LineFileSpout, RedisStreamSpout, TopologyBuilder, chooseSpout, stateful,
  type Config, type Tuple,
} from '../src/index.js';
import { MEMORY_VIEWS_STREAM, memoryViewReport, viewWriter } from '../src/speed/index.js';
import { masterSink } from '../src/batch/index.js';
import { ParseBolt, VisitorBolt } from './pageviews/bolts.js';
import { PAGEVIEW_VIEWS } from './pageviews/views.js';
import { pageviewsDataset } from './pageviews/dataset.js';
import { equivDataset } from './pageviews/equiv.js';
import { PAGEVIEW_FORMATS } from './pageviews/formats.js';

/** The views this topology writes; `topo query` and `topo batch` read them from here. */
export const views = PAGEVIEW_VIEWS;
/** How `topo batch` recomputes them from the master dataset (record -> keys, dedupe, exact bounces). */
export { pageviewsBatchInput as batchInput } from './pageviews/batch-input.js';
/**
 * The facts it keeps: the raw pageview, in `<master>/pageviews/`, and the equiv edge between two
 * visitor identifiers, in `<master>/equiv/` (`topo ingest --format equiv`). The speed layer
 * ignores equiv edges; `topo batch` merges identities by them (pageviews/identities.ts).
 */
export const datasets = [pageviewsDataset, equivDataset];
/** The input formats of `topo ingest` and `topo produce` (`--format apache|jsonl|equiv`). */
export const formats = PAGEVIEW_FORMATS;

function inputOf(config: Config): string {
  // From a stream, event ids are `stream:<name>:<id>` (the producer's id, else the entry id).
  if (typeof config['stream'] === 'string') return `stream:${config['stream']}`;
  if (typeof config['input'] === 'string') return config['input'];
  const file = config['topology.file'];
  return join(typeof file === 'string' ? dirname(file) : 'topologies', 'data', 'apache_logs.log');
}

/**
 * The input: the file (a LineFileSpout, line numbers as event ids) or, with `-c stream=NAME`,
 * a Redis stream read through a consumer group. Chosen in `open`, where the config is known.
 */
export const PageviewsInput = chooseSpout(['line', 'lineNumber'], (config) =>
  config['stream'] !== undefined
    ? new RedisStreamSpout({ outputFields: ['line', 'lineNumber'] })
    : new LineFileSpout({ withLineNumber: true, defaultPath: inputOf, skipEmpty: true }));

const builder = new TopologyBuilder();
// Event order matters downstream: duplicate removal and sessions allow 5 minutes of
// lateness, and the log is in time order within a minute. Local-or-shuffle keeps each hop on
// its thread when it can (in order) instead of splitting the stream over two threads whose
// batches arrive hours of event time apart (shuffle made ~70% of the shipped log late).
// One parse task: fed by the one spout it gets every line in order, and a second task was
// never used (local-or-shuffle picks the spout's own thread). Tasks are placed round robin
// (spout, parse, visitors, views...), so with 2 threads parse and its master sink run on one
// and the spout, the visitor task and its local writer on the other: measured on the 300k
// replay, per-thread CPU 6.5/5.5 s, where parse x2 + visitors x2 (all but half the visitors
// on the spout's thread) gave 10.0/3.0 s and visitors x3 or x5 7.2-7.5/4.4 s. Tuned for 2
// threads; on more cores, raise visitors (and views with it, so each keeps a local writer).
builder.setSpout('lines', PageviewsInput, 1);
builder.setBolt('parse', () => new ParseBolt(inputOf), 1).localOrShuffleGrouping('lines');
builder.setBolt('visitors', stateful(VisitorBolt, { checkpointIntervalMs: 1000, checkpointEveryInputs: 200, idField: 'id' }), 1).fieldsGrouping('parse', ['visitor']).setTickFrequency(1000);
builder.setBolt('views', viewWriter({ views }), 2).localOrShuffleGrouping('visitors').setTickFrequency(100);
// New data goes to both layers: every fact also lands in the master dataset (-c master=DIR,
// default ./data/master), acked only after the fsync that holds it. One sink per worker
// thread fed local-or-shuffle: facts never cross threads (no copy of each record), and the
// fsyncs run off the event loop (asyncFlush) while the thread keeps working.
builder.setBolt('master', masterSink({ dataset: pageviewsDataset, asyncFlush: true }), 2).localOrShuffleGrouping('parse', 'facts').setTickFrequency(200);
builder.setBolt('view-report', memoryViewReport({ views }), 1).globalGrouping('views', MEMORY_VIEWS_STREAM);
builder
  .setBolt('rejects', () => ({
    declareOutputFields: () => {},
    execute: (t: Tuple) => {
      const n = t.getValue(0) as number;
      if (n > 0) process.stderr.write(`[pageviews] ${n} line(s) did not parse; see ${t.getString(1)}\n`);
    },
  }), 1)
  .globalGrouping('parse', 'rejected');
// The writer holds tuples until its flush (up to 100 ms) and the sink until its fsync: enough
// trees in flight to keep both busy, and more than their size triggers (1000 each) so those
// can fire. More only adds held objects and latency. Measured (`npm run bench -- --only
// pageviews-memory`, 1 M lines, same run, loaded 2-core VM): 1000 19.3 k lines/s, 375 MB
// peak RSS, p99 125 ms; 2000 19.5 k, 397 MB, 290 ms; 3000 17.9 k, 413 MB; 5000 16.4 k,
// 486 MB, 837 ms; 10 000 15.2 k, 490 MB, 1.5 s.
export default builder.build('pageviews', { maxSpoutPending: 2000 });
