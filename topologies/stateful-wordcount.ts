/**
 * Word count whose counts survive: the counter is a stateful bolt, so its counts are
 * checkpointed to Redis and every run goes on from the totals of the previous one, and a
 * worker thread that dies resumes from its last checkpoint without losing or doubling a word.
 *
 *   npx topo run topologies/stateful-wordcount.ts --workers 2               # twice: counts double
 *   npx topo run topologies/stateful-wordcount.ts -c input=big.txt --workers 2 --chaos kill-worker=300ms,max=3
 *
 * Config: `input` (a text file, one sentence per line; default a small built-in corpus),
 * `stateNamespace` (where in Redis the counts live; default the topology name), `output`
 * (also write the totals there as JSON). Each word occurrence gets an id (the run, the line,
 * the word's place in it): a replay within a run is recognised (option idField), while the
 * next run's words are new events and add to the totals.
 */
import { renameSync, writeFileSync } from 'node:fs';
import {
  TopologyBuilder, BaseBasicBolt, BaseStatefulBolt, LineFileSpout, stateful,
  type BasicOutputCollector, type Config, type KeyValueState, type OutputFieldsDeclarer,
  type StatefulOutputCollector, type Tuple,
} from '../src/index.js';

const CORPUS = [
  'the cow jumped over the moon',
  'an apple a day keeps the doctor away',
  'four score and seven years ago',
  'snow white and the seven dwarfs',
  'i am at two with nature',
];

const WORD_SPLIT = /[^\p{L}\p{N}]+/u;

/** A sentence -> one tuple per word, with an id that is the same when the sentence replays. */
export class SplitSentence extends BaseBasicBolt {
  private run = '';
  override declareOutputFields(d: OutputFieldsDeclarer): void {
    d.declare(['word', 'id']);
  }
  override prepare(config: Config): void {
    this.run = String(config['topology.runId']);
  }
  execute(t: Tuple, c: BasicOutputCollector): void {
    const words = t.getString(0).toLowerCase().split(WORD_SPLIT).filter((w) => w.length > 0);
    const line = t.getValue(1) as number;
    for (let i = 0; i < words.length; i++) c.emit([words[i], `${this.run}:${line}:${i}`]);
  }
}

/** Counts words in checkpointed state; at the end of input sends its totals to the reporter. */
export class WordCount extends BaseStatefulBolt {
  private counts!: KeyValueState;
  override declareOutputFields(d: OutputFieldsDeclarer): void {
    d.declareStream('totals', ['counts']);
  }
  initState(state: KeyValueState): void {
    this.counts = state; // the totals of every earlier run
  }
  execute(t: Tuple): void {
    this.counts.increment(t.getStringByField('word'));
  }
  finish(c: StatefulOutputCollector): void {
    const totals: Record<string, number> = {};
    for (const w of this.counts.keys()) totals[w] = this.counts.get<number>(w, 0);
    c.emit([totals], 'totals');
  }
}

/** Merges the counter tasks' totals and prints the top words (and writes `output`). */
export class Report extends BaseBasicBolt {
  private output: string | null = null;
  private readonly totals = new Map<string, number>();
  override prepare(config: Config): void {
    this.output = typeof config['output'] === 'string' ? config['output'] : null;
  }
  execute(t: Tuple): void {
    for (const [w, n] of Object.entries(t.getValue(0) as Record<string, number>)) this.totals.set(w, (this.totals.get(w) ?? 0) + n);
  }
  override finish(): void {
    const top = [...this.totals].sort(([a, x], [b, y]) => y - x || a.localeCompare(b)).slice(0, 5);
    let sum = 0;
    for (const n of this.totals.values()) sum += n;
    process.stdout.write(`${sum} words counted so far; top: ${top.map(([w, n]) => `${w}=${n}`).join(' ')}\n`);
    if (this.output === null) return;
    const tmp = `${this.output}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(Object.fromEntries(this.totals))}\n`);
    renameSync(tmp, this.output);
  }
}

const builder = new TopologyBuilder();
builder.setSpout('sentences', () => new LineFileSpout({ field: 'sentence', withLineNumber: true, fallback: CORPUS }), 1);
builder.setBolt('split', SplitSentence, 2).shuffleGrouping('sentences');
builder.setBolt('count', stateful(WordCount, { checkpointIntervalMs: 200, idField: 'id' }), 2).fieldsGrouping('split', ['word']);
builder.setBolt('report', Report, 1).globalGrouping('count', 'totals');
export default builder.build('stateful-wordcount');
