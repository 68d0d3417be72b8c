/**
 * Micro-benchmark of a window bolt's per-tuple cost, one thread, `benchmark` package. One op
 * is 1000 input tuples through the windowing wrapper (timestamp, buffer, watermark, firing,
 * acks) with a collector that does nothing, against a plain bolt that only acks, so the
 * difference is what windowing adds per tuple. The user's window function only reads
 * `get().length`, so copies of the window (one per firing) are included, user work is not.
 * Run alone: `node bench/micro/run-windows.mjs` bundles and runs this file.
 */
import type { Bolt, OutputCollector, TopologyContext, Tuple, TupleWindow, WindowOptions } from '../../src/index.js';
import { windowed } from '../../src/index.js';
import { wallClock } from '../../src/api/clock.js';
import type { ScenarioResult } from '../lib/report.js';
import { runSuite, type MicroCase } from './suite.js';

const N = 1000;
const FIELDS = ['word', 'ts'];
const fieldIndex = new Map(FIELDS.map((f, i) => [f, i] as const));

/** Just enough of a runtime tuple (values, fields, the tick flag), with methods on the prototype as TupleImpl. */
class BenchTuple {
  readonly fields = FIELDS;
  readonly sourceComponent = 'words';
  readonly sourceStreamId = 'default';
  readonly sourceTask = 1;
  constructor(readonly values: unknown[], private readonly tick = false) {}
  getValue(i: number): unknown {
    return this.values[i];
  }
  fieldIndex(f: string): number {
    return fieldIndex.get(f)!;
  }
  isTick(): boolean {
    return this.tick;
  }
}
// Created once and reused by every op, so the figures are the bolt's work, not the bench's allocations.
const pool = Array.from({ length: N }, (_, i) => new BenchTuple(['w', i]) as unknown as Tuple);
const tick = new BenchTuple([], true) as unknown as Tuple;

const collector: OutputCollector = {
  emit() {}, emitDirect() {}, ack() {}, fail() {}, resetTimeout() {}, failRun() {}, reportError(e) { throw e; },
};
const context = {
  topologyName: 'bench', componentId: 'w', taskId: 2, taskIndex: 0, workerIndex: 0,
  getComponentTasks: () => [1], getComponentOutputFields: () => FIELDS, getComponentId: () => 'words',
  getThisSources: () => [{ component: 'words', stream: 'default' }],
  addTaskHook() {}, getSharedResource: () => { throw new Error('no shared resources in the bench'); }, clock: wallClock,
} as TopologyContext;

let sink = 0;
const countWindow = () => ({ execute: (w: TupleWindow) => void (sink += w.get().length) });

function prepared(options: WindowOptions): Bolt {
  const bolt = windowed(countWindow, options)();
  void bolt.prepare({}, context, collector);
  return bolt;
}

/**
 * Event time: timestamps 10 ms apart (1000 tuples = 10 s of event time) and a tick every 100
 * tuples (1 s of event time): about 100 tuples per tumbling window, each tuple in 10 sliding ones.
 */
function eventTimeCase(name: string, options: WindowOptions): MicroCase {
  const bolt = prepared(options);
  let ts = 0;
  return {
    name, config: { ...options, tuplesPerOp: N },
    fn: () => {
      for (let i = 0; i < N; i++) {
        const t = pool[i]!;
        (t.values as unknown[])[1] = ts += 10;
        bolt.execute(t);
        if (i % 100 === 99) bolt.execute(tick);
      }
    },
  };
}

export function microWindows(quick: boolean): ScenarioResult[] {
  const plain: Bolt = { declareOutputFields() {}, prepare() {}, execute: (t) => collector.ack(t) };
  const count = prepared({ tumbling: { count: 100 } });
  const processing = prepared({ tumbling: { durationMs: 1000 } });
  const cases: MicroCase[] = [
    { name: 'plain bolt (ack only)', config: { tuplesPerOp: N }, fn: () => { for (let i = 0; i < N; i++) plain.execute(pool[i]!); } },
    { name: 'count tumbling 100', config: { tuplesPerOp: N }, fn: () => { for (let i = 0; i < N; i++) count.execute(pool[i]!); } },
    // Reads the run's clock once per tuple (context.clock.now(); Date.now() before the clock was injectable).
    { name: 'processing-time tumbling 1 s', config: { tuplesPerOp: N }, fn: () => { for (let i = 0; i < N; i++) processing.execute(pool[i]!); } },
    eventTimeCase('event-time tumbling 1 s', { tumbling: { durationMs: 1000 }, timestampField: 'ts', lagMs: 100 }),
    eventTimeCase('event-time sliding 1 s / 100 ms', { sliding: { durationMs: 1000, everyMs: 100 }, timestampField: 'ts', lagMs: 100 }),
  ];
  return runSuite('windows', cases, quick);
}

if (process.argv[1]?.endsWith('run-windows.mjs')) {
  for (const r of microWindows(process.argv.includes('--quick'))) {
    console.log(`${r.name.padEnd(45)} ${(1e9 / ((r.opsPerSec ?? 0) * N)).toFixed(1).padStart(7)} ns/tuple  ±${(r.rme ?? 0).toFixed(1)}%`);
  }
  if (sink === -1) console.log(sink);
}
