/**
 * Word count doing exactly the `limit` baseline's work, so its words/s compare with it:
 * the same corpus (`sentences()`) and split (`splitWords()`), and a Map of counts.
 *
 *   sentence spouts -> split (shuffle, emits every word anchored) -> count (fields on word)
 *
 * With acking on, every sentence is a tracked tree whose edges are its words. The rate
 * reported is words executed by `count` per second. Budget from config as in parts.ts.
 */
import {
  BaseBolt, BaseSpout, TopologyBuilder,
  type Config, type OutputCollector, type OutputFieldsDeclarer, type SpoutOutputCollector, type Tuple,
} from '../../src/index.js';
import { sentences, splitWords } from '../baselines/limit.js';
import { BOLT_TASKS, SPOUT_TASKS, SpoutBudget, ackingOn } from './parts.js';

export class SentenceSpout extends BaseSpout {
  private collector!: SpoutOutputCollector;
  private budget!: SpoutBudget;
  private tracked = false;
  private seq = 0;
  private readonly source = sentences();

  declareOutputFields(d: OutputFieldsDeclarer): void {
    d.declare(['sentence']);
  }

  open(config: Config, _context: unknown, collector: SpoutOutputCollector): void {
    this.collector = collector;
    this.budget = new SpoutBudget(config);
    this.tracked = ackingOn(config);
  }

  nextTuple(): void {
    if (!this.budget.take()) return;
    const line = this.source.next().value;
    if (this.tracked) this.collector.emit([line], this.seq++);
    else this.collector.emit([line]);
  }

  override isExhausted(): boolean {
    return this.budget.done;
  }
}

export class SplitBolt extends BaseBolt {
  private collector!: OutputCollector;

  override declareOutputFields(d: OutputFieldsDeclarer): void {
    d.declare(['word']);
  }

  prepare(_config: Config, _context: unknown, collector: OutputCollector): void {
    this.collector = collector;
  }

  execute(t: Tuple): void {
    for (const w of splitWords(t.getString(0))) this.collector.emit(t, [w]);
    this.collector.ack(t);
  }
}

export class CountBolt extends BaseBolt {
  private collector!: OutputCollector;
  private readonly counts = new Map<string, number>();

  prepare(_config: Config, _context: unknown, collector: OutputCollector): void {
    this.collector = collector;
  }

  execute(t: Tuple): void {
    const w = t.getString(0);
    this.counts.set(w, (this.counts.get(w) ?? 0) + 1);
    this.collector.ack(t);
  }
}

// One task per core per component: with N worker threads, each hosts a spout, a split and a count.
const builder = new TopologyBuilder();
builder.setSpout('sentences', SentenceSpout, SPOUT_TASKS);
builder.setBolt('split', SplitBolt, BOLT_TASKS).shuffleGrouping('sentences');
builder.setBolt('count', CountBolt, BOLT_TASKS).fieldsGrouping('split', ['word']);
export default builder.build('wordcount');
