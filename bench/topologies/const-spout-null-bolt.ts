/**
 * storm-perf's ConstSpoutNullBoltTopo: a constant spout shuffled to a bolt that acks and
 * drops. Measures the cost of one hop (and, with acking on, of tracking a one-edge tree).
 *
 * SPOUT_TASKS and BOLT_TASKS (one per core) tasks: with N worker threads each thread hosts a
 * spout and a sink, and shuffle sends (N-1)/N of the tuples across threads (half, on 2 cores).
 */
import { TopologyBuilder } from '../../src/index.js';
import { BOLT_TASKS, ConstSpout, DevNullBolt, SPOUT_TASKS } from './parts.js';

const builder = new TopologyBuilder();
builder.setSpout('spout', () => new ConstSpout(), SPOUT_TASKS);
builder.setBolt('sink', DevNullBolt, BOLT_TASKS).shuffleGrouping('spout');
export default builder.build('const-spout-null-bolt');
