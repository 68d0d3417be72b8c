/**
 * Run one bolt against given input tuples on the real runtime (in the calling thread), so
 * what a test sees is what a topology would do: BasicBolt auto-ack, a throw or rejection
 * failing the input, emit validation, anchoring. Inputs are emitted in order by one spout
 * per source component, each as its own tracked tree; the bolt's output streams have no
 * subscribers, so a tree completes exactly when the bolt acks its input.
 */
import type { BasicBolt, Bolt, ComponentSource, Config, MessageId, Spout } from '../api/components.js';
import type { OutputCollector, SpoutOutputCollector } from '../api/collectors.js';
import type { TopologyContext } from '../api/context.js';
import type { OutputFieldsDeclarer } from '../api/declarer.js';
import type { Tuple } from '../api/tuple.js';
import { DEFAULT_STREAM } from '../api/tuple.js';
import { TopologyBuilder } from '../topology/builder.js';
import type { Topology } from '../topology/topology.js';
import { componentById } from '../topology/plan.js';
import { runTopology } from '../runtime/local.js';
import type { RunSummary } from '../runtime/summary.js';
import { captureComponent, type EmitRecord } from './capture.js';
import { inputStreams, OrderedInputs, type BoltInput } from './inputs.js';

export type { BoltInput } from './inputs.js';

export interface RunBoltOptions {
  /** Run configuration (as `-c` pairs), also what the bolt's `prepare` sees. */
  config?: Record<string, unknown>;
  /** Longest wait for every input to be acked or failed; default 5000 ms. */
  timeoutMs?: number;
  /** Extra wait once the bolt is idle, for a bolt that acks later from its own timers; default 0. */
  lingerMs?: number;
}

export interface RunBoltResult {
  /** Every emit, in order, with the indexes of the inputs it was anchored to. */
  emitted: Array<{ stream: string; values: unknown[]; anchors: number[]; directTask?: number }>;
  /** Indexes of inputs the bolt acked, in ack order. */
  acked: number[];
  /** Indexes of inputs the bolt failed (or that timed out), in fail order. */
  failed: number[];
  /** Indexes of inputs neither acked nor failed when the run ended (held by the bolt). */
  pending: number[];
  /** Errors thrown by `execute` (or its promise) and errors passed to `reportError`. */
  errors: Array<{ input: number | null; message: string }>;
  summary: RunSummary;
}

const BOLT_ID = 'bolt';

/** Emits the inputs of one source component, in the global order of `OrderedInputs`. */
class InputSpout implements Spout {
  private collector!: SpoutOutputCollector;
  constructor(private readonly source: string, private readonly inputs: OrderedInputs) {}
  declareOutputFields(d: OutputFieldsDeclarer): void {
    for (const [stream, fields] of this.inputs.streamsOf(this.source)) d.declareStream(stream, fields);
  }
  open(_c: Config, _ctx: TopologyContext, collector: SpoutOutputCollector): void {
    this.collector = collector;
  }
  nextTuple(): void {
    const next = this.inputs.takeFor(this.source);
    if (next) this.collector.emit([...next.input.values], next.index, next.input.stream ?? DEFAULT_STREAM);
  }
  ack(msgId: MessageId): void {
    this.inputs.settle(msgId as number, true);
  }
  fail(msgId: MessageId): void {
    this.inputs.settle(msgId as number, false);
  }
  isExhausted(): boolean {
    return this.inputs.drained;
  }
}

function buildTopology(bolt: ComponentSource<Bolt | BasicBolt>, inputs: OrderedInputs): Topology {
  const b = new TopologyBuilder();
  for (const source of inputs.sources()) b.setSpout(source, () => new InputSpout(source, inputs));
  const d = b.setBolt(BOLT_ID, bolt);
  for (const [source, streams] of inputStreams(inputs.list)) {
    for (const stream of streams.keys()) d.shuffleGrouping(source, stream);
  }
  return b.build('runBolt');
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/**
 * Run the bolt given as a class or factory against `tuples` (fields default to
 * `v0..vN`, stream to "default", source to "source") and report what it did with each.
 * Waits until every input is acked or failed, or until the bolt is idle with inputs still
 * held (reported as `pending`), or `timeoutMs`.
 */
export async function runBolt(bolt: ComponentSource<Bolt | BasicBolt>, tuples: readonly BoltInput[], options: RunBoltOptions = {}): Promise<RunBoltResult> {
  if (tuples.length === 0) throw new Error('runBolt needs at least one input tuple');
  const inputs = new OrderedInputs(tuples);
  const topology = buildTopology(bolt, inputs);
  const index = new Map<Tuple, number>();
  const records: EmitRecord[] = [];
  const errors: RunBoltResult['errors'] = [];
  const held = new Map<number, Tuple>();
  let collector: OutputCollector | null = null;
  let started = 0;
  let running = 0;
  const wrapped: Topology = {
    ...topology,
    create(id: string) {
      const instance = topology.create(id);
      if (id !== BOLT_ID) return instance;
      return captureComponent(instance, componentById(topology.plan, id)!, {
        emit: (r) => records.push(r),
        // One bolt task fed by spouts in input order: the n-th non-tick execute is input n.
        execute: (_c, t) => {
          running++;
          if (t.isTick()) return;
          index.set(t, started);
          held.set(started++, t);
        },
        executed: () => void running--,
        error: (_c, t, e) => errors.push({ input: t ? (index.get(t) ?? null) : null, message: message(e) }),
        prepared: (_c, c) => void (collector = c),
      });
    },
  };

  const handle = await runTopology(wrapped, { config: options.config ?? {} });
  const deadline = Date.now() + (options.timeoutMs ?? 5000);
  while (Date.now() < deadline && !inputs.allSettled) {
    const quiet = inputs.drained && started === tuples.length && running === 0;
    if (quiet && (await handle.waitIdle(Math.max(1, deadline - Date.now())))) {
      if (options.lingerMs) await sleep(options.lingerMs);
      if (running === 0) break; // idle with inputs held: they are pending
    }
    await sleep(2);
  }
  const acked = [...inputs.acked];
  const failed = [...inputs.failed];
  const pending = tuples.map((_, i) => i).filter((i) => !inputs.isSettled(i));
  // Held tuples would keep the run draining until they time out; settle them for the
  // shutdown only (they are reported as pending above).
  const c = collector as OutputCollector | null;
  if (c) for (const i of pending) if (held.has(i)) c.fail(held.get(i)!);
  const summary = await handle.stop();
  const emitted = records.map((r) => ({
    stream: r.stream,
    values: r.values,
    anchors: r.anchors.map((t) => index.get(t)).filter((i): i is number => i !== undefined),
    ...(r.directTask === undefined ? {} : { directTask: r.directTask }),
  }));
  return { emitted, acked, failed, pending, errors, summary };
}
