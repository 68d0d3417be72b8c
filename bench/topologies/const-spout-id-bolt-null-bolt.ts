/**
 * storm-perf's ConstSpoutIdBoltNullBoltTopo: constant spout -> IdBolt (re-emits anchored,
 * acks) -> DevNullBolt, shuffle on both edges. Every tuple tree has two edges.
 *
 * The scheduler places the spout on thread 0 and then bolt tasks round-robin from the
 * next thread, so with two bolt tasks per component and two worker threads each thread
 * hosts one `id` and one `sink` task, and shuffle sends about half the tuples of each hop
 * across threads. With one worker everything stays on one thread.
 */
import { TopologyBuilder } from '../../src/index.js';
import { ConstSpout, DevNullBolt, IdBolt } from './parts.js';

const builder = new TopologyBuilder();
builder.setSpout('spout', () => new ConstSpout(), 1);
builder.setBolt('id', IdBolt, 2).shuffleGrouping('spout');
builder.setBolt('sink', DevNullBolt, 2).shuffleGrouping('id');
export default builder.build('const-spout-id-bolt-null-bolt');
