/**
 * storm-perf's ConstSpoutIdBoltNullBoltTopo: constant spout -> IdBolt (re-emits anchored,
 * acks) -> DevNullBolt, shuffle on both edges. Every tuple tree has two edges.
 *
 * SPOUT_TASKS and BOLT_TASKS (one per core) tasks per component: with N worker threads each
 * thread hosts a spout, an `id` and a `sink` task, and shuffle sends (N-1)/N of the tuples of
 * each hop across threads.
 * With one worker everything stays on one thread.
 */
import { TopologyBuilder } from '../../src/index.js';
import { BOLT_TASKS, ConstSpout, DevNullBolt, IdBolt, SPOUT_TASKS } from './parts.js';

const builder = new TopologyBuilder();
builder.setSpout('spout', () => new ConstSpout(), SPOUT_TASKS);
builder.setBolt('id', IdBolt, BOLT_TASKS).shuffleGrouping('spout');
builder.setBolt('sink', DevNullBolt, BOLT_TASKS).shuffleGrouping('id');
export default builder.build('const-spout-id-bolt-null-bolt');
