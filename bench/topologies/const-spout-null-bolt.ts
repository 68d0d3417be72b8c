/**
 * storm-perf's ConstSpoutNullBoltTopo: a constant spout shuffled to a bolt that acks and
 * drops. Measures the cost of one hop (and, with acking on, of tracking a one-edge tree).
 *
 * BOLT_TASKS (one per core) sink tasks: with N worker threads each thread hosts one, so
 * shuffle sends (N-1)/N of the tuples across threads (half, on 2 cores).
 */
import { TopologyBuilder } from '../../src/index.js';
import { BOLT_TASKS, ConstSpout, DevNullBolt } from './parts.js';

const builder = new TopologyBuilder();
builder.setSpout('spout', () => new ConstSpout(), 1);
builder.setBolt('sink', DevNullBolt, BOLT_TASKS).shuffleGrouping('spout');
export default builder.build('const-spout-null-bolt');
