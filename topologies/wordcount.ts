/**
 * Word count, Storm's first example, reliable end to end.
 *
 *   npx topo run topologies/wordcount.ts -c input=README.md -c output=/tmp/counts.json
 *
 * Config: `input` (a text file, one sentence per line; default a small built-in corpus),
 * `output` (write the final counts there as one JSON object when the run ends), `top` (how
 * many of the most frequent words to print on stderr at the end; default 10, 0 for none),
 * `failRate` (the split bolt fails a sentence with this probability before emitting, so
 * replays happen; the final counts are still exact).
 */
import { renameSync, writeFileSync } from 'node:fs';
import {
  TopologyBuilder, BaseBolt, BaseBasicBolt,
  type Config, type TopologyContext, type OutputCollector, type Tuple, type BasicOutputCollector, type OutputFieldsDeclarer,
} from '../src/index.js';
import { LineFileSpout } from '../src/spouts/line-file-spout.js';

const CORPUS = [
  'the cow jumped over the moon',
  'an apple a day keeps the doctor away',
  'four score and seven years ago',
  'snow white and the seven dwarfs',
  'i am at two with nature',
];

const WORD_SPLIT = /[^\p{L}\p{N}]+/u;

/** Splits a sentence into lowercase words; fails the sentence with probability failRate. */
export class SplitSentence extends BaseBolt {
  private collector!: OutputCollector;
  private failRate = 0;

  override declareOutputFields(d: OutputFieldsDeclarer): void {
    d.declare(['word']);
  }

  prepare(config: Config, _context: TopologyContext, collector: OutputCollector): void {
    this.collector = collector;
    this.failRate = Number(config['failRate'] ?? 0);
  }

  execute(t: Tuple): void {
    if (this.failRate > 0 && Math.random() < this.failRate) {
      this.collector.fail(t);
      return;
    }
    const words = t.getString(0).toLowerCase().split(WORD_SPLIT);
    for (const w of words) if (w.length > 0) this.collector.emit(t, [w]);
    this.collector.ack(t);
  }
}

/** Counts words; at the end of input sends its totals to the reporter. */
export class WordCount extends BaseBasicBolt {
  private readonly counts = new Map<string, number>();

  override declareOutputFields(d: OutputFieldsDeclarer): void {
    d.declare(['word', 'count']);
    d.declareStream('totals', ['counts']);
  }

  execute(t: Tuple, c: BasicOutputCollector): void {
    const w = t.getString(0);
    const n = (this.counts.get(w) ?? 0) + 1;
    this.counts.set(w, n);
    c.emit([w, n]);
  }

  override finish(c: BasicOutputCollector): void {
    c.emit([Object.fromEntries(this.counts)], 'totals');
  }
}

/**
 * Merges every counter task's totals, prints the most frequent words on stderr (a run shows
 * its result without knowing about `output`) and writes them all to `output` (atomically:
 * temp file, then rename).
 */
export class Report extends BaseBasicBolt {
  private output: string | null = null;
  private top = 10;
  // No prototype: a word such as "constructor" must not find Object.prototype's member.
  private readonly totals: Record<string, number> = Object.create(null) as Record<string, number>;

  override prepare(config: Config): void {
    this.output = typeof config['output'] === 'string' ? config['output'] : null;
    const top = config['top'];
    if (top !== undefined && (typeof top !== 'number' || !Number.isInteger(top) || top < 0)) {
      throw new Error(`config 'top' must be an integer >= 0, got ${JSON.stringify(top)}`);
    }
    this.top = top ?? 10;
  }

  execute(t: Tuple): void {
    const part = t.getValue(0) as Record<string, number>;
    for (const [w, n] of Object.entries(part)) this.totals[w] = (this.totals[w] ?? 0) + n;
  }

  override finish(): void {
    this.printTop();
    if (this.output === null) return;
    const tmp = `${this.output}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(this.totals)}\n`);
    renameSync(tmp, this.output);
  }

  private printTop(): void {
    const words = Object.entries(this.totals);
    if (this.top === 0 || words.length === 0) return;
    words.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    const lines = words.slice(0, this.top).map(([w, n]) => `${String(n).padStart(10)}  ${w}`);
    const rest = this.output === null ? '; every count: -c output=FILE' : `; every count in ${this.output}`;
    process.stderr.write(`[wordcount] top ${lines.length} of ${words.length} words${rest}\n${lines.join('\n')}\n`);
  }
}

const builder = new TopologyBuilder();
builder.setSpout('sentences', () => new LineFileSpout({ field: 'sentence', fallback: CORPUS }), 1);
builder.setBolt('split', SplitSentence, 2).shuffleGrouping('sentences');
builder.setBolt('count', WordCount, 2).fieldsGrouping('split', ['word']);
builder.setBolt('report', Report, 1).globalGrouping('count', 'totals');
export default builder.build('wordcount');
