/**
 * Word counts per event-time window: sliding windows of 10 s every 5 s over sentences that
 * carry their own timestamps, some out of order, a few too late.
 *
 *   npx topo run topologies/windowed-wordcount.ts --workers 2
 *   npx topo run topologies/windowed-wordcount.ts -c sentences=2000 -c speedup=50 -c output=/tmp/windows.json
 *
 * The spout stamps sentence i with 100 ms of event time and emits it at that time divided by
 * `speedup` (default 20) on the wall clock; every 7th is stamped 700 ms early (out of order
 * within the 1 s lag: counted in its windows), every 97th 30 s early (past the allowed
 * lateness: on the late stream). At the end it sends one untracked tuple with a far-future
 * timestamp on the 'end' stream, which the split bolt passes to every window task: that
 * watermark closes the last windows, as a Flink source's final watermark does.
 */
import { writeFileSync } from 'node:fs';
import {
  TopologyBuilder, BaseBolt, BaseBasicBolt, BaseSpout, BaseWindowedBolt, windowed,
  type Config, type TopologyContext, type OutputCollector, type SpoutOutputCollector, type Tuple,
  type OutputFieldsDeclarer, type TupleWindow, type WindowOutputCollector, type MessageId,
} from '../src/index.js';

const CORPUS = [
  'the cow jumped over the moon',
  'an apple a day keeps the doctor away',
  'four score and seven years ago',
  'snow white and the seven dwarfs',
  'i am at two with nature',
];
const END_OF_TIME = 8.64e15;

/** Sentences with event timestamps; replays what fails; ends with the end-of-input marker. */
export class TimedSentences extends BaseSpout {
  private c!: SpoutOutputCollector;
  private n = 0;
  private count = 0;
  private ended = false;
  private readonly retry: number[] = [];
  private speedup = 20;
  private t0 = 0;
  declareOutputFields(d: OutputFieldsDeclarer): void {
    d.declare(['sentence', 'ts']);
    d.declareStream('end', ['ts']);
  }
  open(config: Config, _ctx: TopologyContext, c: SpoutOutputCollector): void {
    this.c = c;
    this.count = Number(config['sentences'] ?? 500);
    this.speedup = Number(config['speedup'] ?? 20);
    this.t0 = Date.now();
  }
  nextTuple(): void {
    if (this.retry.length === 0 && (Date.now() - this.t0) * this.speedup < this.n * 100) return; // not due yet
    const i = this.retry.shift() ?? (this.n < this.count ? this.n++ : undefined);
    if (i !== undefined) {
      const late = i % 97 === 96 ? 30_000 : i % 7 === 6 ? 700 : 0;
      this.c.emit([CORPUS[i % CORPUS.length], i * 100 - late], i);
    } else if (!this.ended) {
      this.ended = true;
      this.c.emit([END_OF_TIME], undefined, 'end');
    }
  }
  override fail(id: MessageId): void {
    this.retry.push(id as number);
  }
  override isExhausted(): boolean {
    return this.ended && this.retry.length === 0;
  }
}

/** Words with their sentence's timestamp; the end marker goes to every window task. */
export class SplitTimed extends BaseBolt {
  private c!: OutputCollector;
  override declareOutputFields(d: OutputFieldsDeclarer): void {
    d.declare(['word', 'ts']);
    d.declareStream('end', ['word', 'ts']);
  }
  prepare(_config: Config, _ctx: TopologyContext, c: OutputCollector): void {
    this.c = c;
  }
  execute(t: Tuple): void {
    if (t.sourceStreamId === 'end') {
      this.c.emit(t, ['', t.getValueByField('ts')], 'end');
    } else {
      for (const w of t.getString(0).split(' ')) this.c.emit(t, [w, t.getValueByField('ts')]);
    }
    this.c.ack(t);
  }
}

/** Counts each word of a window: one [start, end, word, count] per word per firing. */
export class WindowWordCount extends BaseWindowedBolt {
  override declareOutputFields(d: OutputFieldsDeclarer): void {
    d.declare(['start', 'end', 'word', 'count']);
  }
  execute(window: TupleWindow, collector: WindowOutputCollector): void {
    const counts = new Map<string, number>();
    for (const t of window.get()) {
      if (t.sourceStreamId === 'end') continue;
      const w = t.getStringByField('word');
      counts.set(w, (counts.get(w) ?? 0) + 1);
    }
    for (const [word, n] of counts) collector.emit([window.start, window.end, word, n]);
  }
}

/** Keeps the latest count per window and word (an update replaces it) and prints the top words at the end. */
export class WindowReport extends BaseBasicBolt {
  private readonly windows = new Map<string, Map<string, number>>();
  private late = 0;
  private output: string | undefined;
  override prepare(config: Config): void {
    this.output = config['output'] === undefined ? undefined : String(config['output']);
  }
  execute(t: Tuple): void {
    if (t.sourceStreamId === 'late') {
      this.late++;
      return;
    }
    const key = `[${t.getNumberByField('start') / 1000} s, ${t.getNumberByField('end') / 1000} s)`;
    const words = this.windows.get(key) ?? new Map<string, number>();
    this.windows.set(key, words.set(t.getStringByField('word'), t.getNumberByField('count')));
  }
  override finish(): void {
    const rows = [...this.windows];
    for (const [key, words] of rows) {
      const top = [...words].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([w, n]) => `${w}=${n}`).join(' ');
      console.log(`${key.padEnd(16)} ${top}`);
    }
    console.log(`${this.late} word(s) arrived past the allowed lateness (late stream)`);
    if (this.output) writeFileSync(this.output, JSON.stringify(Object.fromEntries(rows.map(([k, w]) => [k, Object.fromEntries(w)]))));
  }
}

const builder = new TopologyBuilder();
builder.setSpout('sentences', TimedSentences);
builder.setBolt('split', SplitTimed, 2).shuffleGrouping('sentences').allGrouping('sentences', 'end');
builder.setBolt('counts', windowed(WindowWordCount, {
  sliding: { durationMs: 10_000, everyMs: 5_000 },
  timestampField: 'ts',
  lagMs: 1000,
  allowedLatenessMs: 2000,
  lateStream: 'late',
}), 2).fieldsGrouping('split', ['word']).allGrouping('split', 'end');
builder.setBolt('report', WindowReport).globalGrouping('counts').globalGrouping('counts', 'late');
export default builder.build('windowed-wordcount');
