// The pageviews bolts (ParseBolt, VisitorBolt, the Redis view writer) fed by a scripted spout:
// config `script` is a JSON file of [line, lineNumber] pairs emitted in that order, each with
// its own message id (a failed one is emitted again). Emitting a pair whose line number came
// earlier is, downstream, exactly what a replay of that line looks like (ParseBolt's event
// id is `<source>:<lineNumber>`), and the script decides how far behind it arrives: a day of
// event time later, the visitor bolt's 5-minute dedupe window has long forgotten it.
import { readFileSync } from 'node:fs';
import {
  BaseSpout, TopologyBuilder, stateful, type Config, type OutputFieldsDeclarer, type SpoutOutputCollector, type TopologyContext,
} from '../../src/index.js';
import { ParseBolt, VisitorBolt } from '../../topologies/pageviews/bolts.js';
import { PAGEVIEW_VIEWS } from '../../topologies/pageviews/views.js';
import { viewWriter } from '../../src/speed/index.js';

class ScriptSpout extends BaseSpout {
  private c!: SpoutOutputCollector;
  private script: [string, number][] = [];
  private next = 0;
  private failed: number[] = [];
  private pending = 0;
  declareOutputFields(d: OutputFieldsDeclarer): void {
    d.declare(['line', 'lineNumber']);
  }
  open(conf: Config, _ctx: TopologyContext, c: SpoutOutputCollector): void {
    this.c = c;
    this.script = JSON.parse(readFileSync(String(conf['script']), 'utf8')) as [string, number][];
  }
  nextTuple(): void {
    const i = this.failed.pop() ?? (this.next < this.script.length ? this.next++ : undefined);
    if (i === undefined) return;
    this.pending++;
    this.c.emit(this.script[i]!, i);
  }
  override ack(): void {
    this.pending--;
  }
  override fail(i: number): void {
    this.pending--;
    this.failed.push(i);
  }
  override isExhausted(): boolean {
    return this.next >= this.script.length && this.failed.length === 0 && this.pending === 0;
  }
}

const b = new TopologyBuilder();
b.setSpout('lines', ScriptSpout, 1);
b.setBolt('parse', () => new ParseBolt(() => 'late.jsonl'), 1).localOrShuffleGrouping('lines');
b.setBolt('visitors', stateful(VisitorBolt, { checkpointIntervalMs: 200, idField: 'id' }), 1).fieldsGrouping('parse', ['visitor']).setTickFrequency(1000);
b.setBolt('views', viewWriter({ views: PAGEVIEW_VIEWS }), 1).localOrShuffleGrouping('visitors').setTickFrequency(100);
export default b.build('pageviews', { workers: 1, format: 'jsonl' });
