/**
 * Orders: the smallest whole Lambda application, and the example of docs/datasets.md. Its own
 * fact (an order), its own input format (CSV), two views (revenue and orders per customer per
 * hour) kept in both layers: `topo run` writes them in realtime and appends every order to the
 * master dataset, `topo ingest` appends a file to it without running the topology, and
 * `topo batch` recomputes the views from all orders ever kept. It imports only public entries.
 *
 *   npx topo run topologies/orders.ts                               # topologies/data/orders.csv
 *   npx topo ingest topologies/data/orders.csv --topology topologies/orders.ts --format csv
 *   npx topo batch topologies/orders.ts
 *   npx topo query revenue ada --topology topologies/orders.ts --from 2024-03-01T00 --to 2024-03-02T00
 *
 * Config: `input` (a CSV file, default topologies/data/orders.csv), `rejects` (default
 * .topo/rejects/orders.jsonl), `master` (the master dataset root, default ./data/master).
 */
import { basename, dirname, join } from 'node:path';
import { BaseBolt, LineFileSpout, TopologyBuilder, type Config, type OutputCollector, type OutputFieldsDeclarer, type TopologyContext, type Tuple } from '../src/index.js';
import { defineView, updateOf, type ViewUpdate } from '../src/views/index.js';
import { viewWriter } from '../src/speed/index.js';
import { accept, defineBatchInput, defineDataset, defineFormat, factProblem, masterSink, reject, RejectsWriter } from '../src/batch/index.js';

/** One order, as it arrived. */
export interface Order {
  readonly id: string;
  /** Event time, epoch ms UTC. */
  readonly ts: number;
  readonly customer: string;
  readonly product: string;
  /** Cents. */
  readonly amount: number;
}

/** The orders facts: `<master>/orders/date=YYYY-MM-DD/part-*.jsonl`. */
export const orders = defineDataset<Order>({
  name: 'orders',
  eventTime: (o) => o.ts,
  id: (o) => o.id,
  validate: (v) => {
    if (typeof v['customer'] !== 'string' || v['customer'] === '') return 'no customer';
    if (typeof v['amount'] !== 'number' || !Number.isSafeInteger(v['amount']) || v['amount'] < 0) return `amount must be whole cents >= 0, got ${String(v['amount'])}`;
    return null;
  },
});

/** `id,time,customer,product,amount`: time in ISO 8601, amount in cents. */
export const ordersCsv = defineFormat<Order>({
  name: 'csv',
  dataset: 'orders',
  parse: (line) => {
    const cols = line.split(',');
    if (cols.length !== 5) return reject(`expected 5 comma-separated columns, got ${cols.length}`);
    const [id, time, customer, product, amount] = cols.map((c) => c.trim()) as [string, string, string, string, string];
    const ts = Date.parse(time);
    if (Number.isNaN(ts)) return reject(`time is not an ISO 8601 date-time: '${time}'`);
    if (!/^-?\d+$/.test(amount)) return reject(`amount is not a whole number of cents: '${amount}'`);
    // The order's own id, not the line's: ingesting a file twice stores the orders twice, and
    // the batch input's identityOf then counts each once.
    return accept({ id, ts, customer, product, amount: Number(amount) });
  },
});

export const datasets = [orders];
export const formats = [ordersCsv];

const HOUR = 3_600_000;
/** Revenue (cents) per customer per hour. */
export const revenueView = defineView<Order>({ name: 'revenue', aggregation: { kind: 'sum', field: 'amount' }, keyOf: (o) => o.customer, timeOf: (o) => o.ts, bucketMs: HOUR });
/** Orders per customer per hour. */
export const ordersView = defineView<Order>({ name: 'orders', aggregation: { kind: 'count' }, keyOf: (o) => o.customer, timeOf: (o) => o.ts, bucketMs: HOUR });
export const views = [revenueView, ordersView];

/** `topo batch`: the records are the views' events already; an order counts once by its id. */
export const batchInput = defineBatchInput<Order, Order>({
  dataset: 'orders',
  eventOf: (o) => o,
  groupOf: (o) => o.customer,
  identityOf: (o) => o.id,
});

function inputOf(config: Config): string {
  if (typeof config['input'] === 'string') return config['input'];
  const file = config['topology.file'];
  return join(typeof file === 'string' ? dirname(file) : 'topologies', 'data', 'orders.csv');
}

/**
 * Parses a line with the same format `topo ingest` uses, and sends a good order both ways:
 * to the view writer (its updates) and to the master sink (the fact). A bad line, or an order
 * its dataset rejects, goes to the rejects file.
 */
export class ParseOrders extends BaseBolt {
  private collector!: OutputCollector;
  private rejects!: RejectsWriter;
  private source = '';

  override declareOutputFields(d: OutputFieldsDeclarer): void {
    d.declare(['updates']);
    d.declareStream('facts', ['record']);
  }

  prepare(config: Config, _context: TopologyContext, collector: OutputCollector): void {
    this.collector = collector;
    this.source = basename(inputOf(config));
    this.rejects = new RejectsWriter(typeof config['rejects'] === 'string' ? config['rejects'] : '.topo/rejects/orders.jsonl');
  }

  execute(t: Tuple): void {
    const line = t.getString(0);
    const lineNumber = t.getValue(1) as number;
    const r = ordersCsv.parse(line, { id: `${this.source}:${lineNumber}`, source: this.source, lineNumber, options: {} });
    // The dataset's whole check (validation, id, event time), as ingest applies it.
    const reason = r.ok ? factProblem(orders, r.record) : r.reason;
    if (!r.ok || reason !== null) {
      this.rejects.write({ line, lineNumber, reason: reason ?? 'rejected', source: this.source });
    } else {
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

const builder = new TopologyBuilder();
builder.setSpout('lines', () => new LineFileSpout({ withLineNumber: true, defaultPath: inputOf, skipEmpty: true }), 1);
builder.setBolt('parse', ParseOrders, 1).localOrShuffleGrouping('lines');
builder.setBolt('views', viewWriter({ views }), 1).localOrShuffleGrouping('parse').setTickFrequency(100);
builder.setBolt('master', masterSink({ dataset: orders }), 1).localOrShuffleGrouping('parse', 'facts').setTickFrequency(200);
export default builder.build('orders');
