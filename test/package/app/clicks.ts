// A user's own Lambda application, built in a scratch project against the installed
// topo-streams package (test/package/npm-pack.test.ts copies this folder there): its own fact
// (a click), its own input format, two views (clicks per button per 10 s; distinct users per
// button per minute) in both layers. Only public package entries are imported.
import { BaseBolt, LineFileSpout, TopologyBuilder, type Config, type OutputCollector, type OutputFieldsDeclarer, type TopologyContext, type Tuple } from 'topo-streams';
import { defineView, updateOf, type ViewUpdate } from 'topo-streams/views';
import { viewWriter } from 'topo-streams/speed';
import { accept, defineBatchInput, defineDataset, defineFormat, factProblem, masterSink, reject, RejectsWriter } from 'topo-streams/batch';

export interface Click {
  readonly id: string;
  readonly ts: number;
  readonly user: string;
  readonly button: string;
}

export const clicks = defineDataset<Click>({
  name: 'clicks',
  eventTime: (c) => c.ts,
  id: (c) => c.id,
  validate: (v) => (typeof v['button'] === 'string' && v['button'] !== '' ? null : 'no button'),
});

/** `id|time|user|button`, time in ISO 8601. */
export const pipes = defineFormat<Click>({
  name: 'pipes',
  dataset: 'clicks',
  parse: (line) => {
    const cols = line.split('|');
    if (cols.length !== 4) return reject(`expected 4 '|'-separated columns, got ${cols.length}`);
    const [id, time, user, button] = cols as [string, string, string, string];
    const ts = Date.parse(time);
    return Number.isNaN(ts) ? reject(`bad time '${time}'`) : accept({ id, ts, user, button });
  },
});

export const datasets = [clicks];
export const formats = [pipes];

export const clicksView = defineView<Click>({ name: 'clicks', aggregation: { kind: 'count' }, keyOf: (c) => c.button, timeOf: (c) => c.ts, bucketMs: 10_000 });
export const usersView = defineView<Click>({ name: 'users', aggregation: { kind: 'distinct', field: 'user' }, keyOf: (c) => c.button, timeOf: (c) => c.ts, bucketMs: 60_000 });
export const views = [clicksView, usersView];

export const batchInput = defineBatchInput<Click, Click>({ dataset: 'clicks', eventOf: (c) => c, groupOf: (c) => c.button, identityOf: (c) => c.id });

class ParseClicks extends BaseBolt {
  private collector!: OutputCollector;
  private rejects!: RejectsWriter;

  override declareOutputFields(d: OutputFieldsDeclarer): void {
    d.declare(['updates']);
    d.declareStream('facts', ['record']);
  }

  prepare(config: Config, _context: TopologyContext, collector: OutputCollector): void {
    this.collector = collector;
    this.rejects = new RejectsWriter(String(config['rejects'] ?? 'rejects.jsonl'));
  }

  execute(t: Tuple): void {
    const line = t.getString(0);
    const lineNumber = t.getValue(1) as number;
    const r = pipes.parse(line, { id: `clicks:${lineNumber}`, source: 'clicks', lineNumber, options: {} });
    const reason = r.ok ? factProblem(clicks, r.record) : r.reason;
    if (!r.ok || reason !== null) this.rejects.write({ line, lineNumber, reason: reason ?? 'rejected', source: 'clicks' });
    else {
      const updates = views.map((v) => updateOf(v, r.record, r.record.id)).filter((u): u is ViewUpdate => u !== null);
      this.collector.emit(t, [updates]);
      this.collector.emit(t, [r.record], 'facts');
    }
    this.collector.ack(t);
  }

  override cleanup(): void {
    this.rejects.close();
  }
}

const b = new TopologyBuilder();
b.setSpout('lines', () => new LineFileSpout({ withLineNumber: true, skipEmpty: true }), 1);
b.setBolt('parse', ParseClicks, 1).shuffleGrouping('lines');
b.setBolt('views', viewWriter({ views }), 1).shuffleGrouping('parse').setTickFrequency(100);
b.setBolt('master', masterSink({ dataset: clicks }), 1).shuffleGrouping('parse', 'facts').setTickFrequency(200);
export default b.build('clicks');
