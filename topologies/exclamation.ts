/**
 * Storm's ExclamationTopology, extended to show named streams and direct grouping.
 *
 *   npx topo run topologies/exclamation.ts -c count=500 -c output=/tmp/exclamation.json
 *
 *   words ──shuffle──> exclaim1 (x2) ──shuffle──> exclaim2 ──shuffle──> router
 *                          │                                              │ emitDirect on 'byLength'
 *                          └── 'shouts' (words starting with a vowel)     v
 *                                    │                      printer (x3, directGrouping)
 *                                    v                                    │ 'totals' at finish
 *                                 shouts  <─────────────global────────────┘
 *
 * Config: `count` (words the spout emits before it is exhausted, default 1000), `output`
 * (optional: the `shouts` sink writes a JSON summary there when the run ends).
 * Every tuple is anchored, and the spout replays a word whose tree fails.
 */
import { writeFileSync } from 'node:fs';
import {
  TopologyBuilder, BaseSpout, BaseBolt, BaseBasicBolt,
  type BasicOutputCollector, type Config, type MessageId, type OutputCollector,
  type OutputFieldsDeclarer, type SpoutOutputCollector, type TopologyContext, type Tuple,
} from '../src/index.js';

export const WORDS = ['apple', 'storm', 'otter', 'tuple', 'idea', 'bolt', 'umbrella', 'spout', 'echo', 'oak', 'sky'];

/** Emits `count` words (WORDS in turn), each tracked by its sequence number and replayed on failure. */
class WordSpout extends BaseSpout {
  private collector!: SpoutOutputCollector;
  private count = 1000;
  private next = 0;
  private readonly inFlight = new Map<number, string>();
  private readonly replay: number[] = [];

  declareOutputFields(d: OutputFieldsDeclarer): void {
    d.declare(['word']);
  }

  open(config: Config, _context: TopologyContext, collector: SpoutOutputCollector): void {
    this.collector = collector;
    this.count = Number(config['count'] ?? 1000);
  }

  nextTuple(): void {
    const seq = this.replay.pop() ?? (this.next < this.count ? this.next++ : undefined);
    if (seq === undefined) return;
    const word = WORDS[seq % WORDS.length]!;
    this.inFlight.set(seq, word);
    this.collector.emit([word], seq);
  }

  override ack(msgId: MessageId): void {
    this.inFlight.delete(msgId as number);
  }

  override fail(msgId: MessageId): void {
    if (this.inFlight.has(msgId as number)) this.replay.push(msgId as number);
  }

  override isExhausted(): boolean {
    return this.next >= this.count && this.replay.length === 0;
  }
}

/** Appends "!!!"; words starting with a vowel also go out on the named stream `shouts`. */
class Exclaim1 extends BaseBolt {
  private collector!: OutputCollector;

  override declareOutputFields(d: OutputFieldsDeclarer): void {
    d.declare(['word']);
    d.declareStream('shouts', ['word']);
  }

  prepare(_config: Config, _context: TopologyContext, collector: OutputCollector): void {
    this.collector = collector;
  }

  execute(t: Tuple): void {
    const word = t.getString(0);
    this.collector.emit(t, [`${word}!!!`]);
    if (/^[aeiou]/i.test(word)) this.collector.emit(t, [`${word.toUpperCase()}!!!`], 'shouts');
    this.collector.ack(t);
  }
}

/** The same again, as a basic bolt: the emit is anchored and the input acked for us. */
class Exclaim2 extends BaseBasicBolt {
  override declareOutputFields(d: OutputFieldsDeclarer): void {
    d.declare(['word']);
  }

  execute(t: Tuple, c: BasicOutputCollector): void {
    c.emit([`${t.getString(0)}!!!`]);
  }
}

/** Picks the printer task for each word by its length and sends it there with emitDirect. */
class Router extends BaseBolt {
  private collector!: OutputCollector;
  private printers: readonly number[] = [];

  override declareOutputFields(d: OutputFieldsDeclarer): void {
    d.declareStream('byLength', ['word'], true); // direct: the emitter chooses the task
  }

  prepare(_config: Config, context: TopologyContext, collector: OutputCollector): void {
    this.collector = collector;
    this.printers = context.getComponentTasks('printer');
  }

  execute(t: Tuple): void {
    const word = t.getString(0);
    const task = this.printers[word.length % this.printers.length]!;
    this.collector.emitDirect(task, t, [word], 'byLength');
    this.collector.ack(t);
  }
}

/** Counts the words it was sent by length; at the end reports them on `totals`. */
class Printer extends BaseBasicBolt {
  private context!: TopologyContext;
  private readonly byLength: Record<number, number> = {};

  override declareOutputFields(d: OutputFieldsDeclarer): void {
    d.declareStream('totals', ['taskIndex', 'byLength']);
  }

  override prepare(_config: Config, context: TopologyContext): void {
    this.context = context;
  }

  execute(t: Tuple): void {
    const n = t.getString(0).length;
    this.byLength[n] = (this.byLength[n] ?? 0) + 1;
  }

  override finish(c: BasicOutputCollector): void {
    c.emit([this.context.taskIndex, this.byLength], 'totals');
  }
}

/** Counts shouted words; at the end writes them and the printers' totals to `output`. */
class Shouts extends BaseBasicBolt {
  private output: string | null = null;
  private readonly shouts: Record<string, number> = {};
  private readonly printers: Record<number, Record<number, number>> = {};

  override prepare(config: Config): void {
    this.output = typeof config['output'] === 'string' ? config['output'] : null;
  }

  execute(t: Tuple): void {
    if (t.sourceStreamId === 'totals') {
      this.printers[t.getNumberByField('taskIndex')] = t.getValueByField('byLength') as Record<number, number>;
      return;
    }
    const word = t.getString(0);
    this.shouts[word] = (this.shouts[word] ?? 0) + 1;
  }

  override finish(): void {
    if (this.output !== null) writeFileSync(this.output, `${JSON.stringify({ shouts: this.shouts, printers: this.printers })}\n`);
  }
}

const builder = new TopologyBuilder();
builder.setSpout('words', WordSpout);
builder.setBolt('exclaim1', Exclaim1, 2).shuffleGrouping('words');
builder.setBolt('exclaim2', Exclaim2).shuffleGrouping('exclaim1');
builder.setBolt('router', Router).shuffleGrouping('exclaim2');
builder.setBolt('printer', Printer, 3).directGrouping('router', 'byLength');
builder.setBolt('shouts', Shouts).shuffleGrouping('exclaim1', 'shouts').globalGrouping('printer', 'totals');
export default builder.build('exclamation');
