/**
 * storm-perf's ConstSpoutNullBoltTopo: a constant spout shuffled to a bolt that acks and
 * drops. Measures the cost of one hop (and, with acking on, of tracking a one-edge tree).
 *
 * Two bolt tasks, so with two worker threads one of them lives on the spout's thread and
 * one on the other thread: about half the tuples cross threads.
 */
import { TopologyBuilder } from '../../src/index.js';
import { ConstSpout, DevNullBolt } from './parts.js';

const builder = new TopologyBuilder();
builder.setSpout('spout', () => new ConstSpout(), 1);
builder.setBolt('sink', DevNullBolt, 2).shuffleGrouping('spout');
export default builder.build('const-spout-null-bolt');
