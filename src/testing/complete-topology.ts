/**
 * Storm's `completeTopology`: run a topology in the calling thread with some spouts
 * replaced by fixed tuples, until every tree is acked or failed and the run completes,
 * and return what every component emitted on every stream.
 */
import type { Component, Config, MessageId, Spout } from '../api/components.js';
import type { SpoutOutputCollector } from '../api/collectors.js';
import type { TopologyContext } from '../api/context.js';
import { DEFAULT_STREAM } from '../api/tuple.js';
import type { Topology } from '../topology/topology.js';
import { componentById } from '../topology/plan.js';
import { runTopology } from '../runtime/local.js';
import type { RunSummary } from '../runtime/summary.js';
import { captureComponent, type EmitRecord } from './capture.js';
import type { SimulatedTime } from './simulated-time.js';

export interface CompleteTopologyOptions {
  /** Spout id -> the tuples (values) that spout emits instead of its own, each with a message id. */
  mockedSources?: Readonly<Record<string, readonly unknown[][]>>;
  /** Run configuration (as `-c` pairs): e.g. `{ ackers: 0 }` or `{ messageTimeoutMs: 500 }`. */
  config?: Record<string, unknown>;
  /** Give up (stop the run and throw) after this long of real time; default 10 000 ms. */
  timeoutMs?: number;
  /**
   * Run under simulated time (Storm's completeTopology inside withSimulatedTime): whenever the
   * run is idle and not complete, the clock jumps to its next timer, so a tree that is never
   * acked times out at once in real time, exactly `messageTimeoutMs` after its emit in `clock`.
   */
  clock?: SimulatedTime;
}

/** A mocked tuple: which spout, its position in the mocked list, and its values. */
export interface MockedTuple {
  readonly spout: string;
  readonly index: number;
  readonly values: unknown[];
}

export interface CompleteTopologyResult {
  summary: RunSummary;
  /** Component id -> stream id -> emitted values, in emit order (declared streams start empty). */
  emitted: Record<string, Record<string, unknown[][]>>;
  /** Mocked tuples whose tree completed, in ack order. */
  acked: MockedTuple[];
  /** Mocked tuples whose tree failed or timed out, in fail order (they are not replayed). */
  failed: MockedTuple[];
}

/** The fixed tuples of one mocked spout, shared by all its tasks so each is emitted once. */
class MockSource {
  next = 0;
  constructor(readonly spout: string, readonly rows: readonly unknown[][]) {}
}

class MockSpoutTask implements Spout {
  private collector!: SpoutOutputCollector;
  constructor(private readonly source: MockSource, private readonly settle: (ok: boolean, index: number) => void) {}
  declareOutputFields(): void {
    // The plan keeps the replaced spout's declared streams.
  }
  open(_config: Config, _context: TopologyContext, collector: SpoutOutputCollector): void {
    this.collector = collector;
  }
  nextTuple(): void {
    const s = this.source;
    if (s.next < s.rows.length) {
      const index = s.next++;
      this.collector.emit([...s.rows[index]!], index, DEFAULT_STREAM);
    }
  }
  ack(msgId: MessageId): void {
    this.settle(true, msgId as number);
  }
  fail(msgId: MessageId): void {
    this.settle(false, msgId as number);
  }
  isExhausted(): boolean {
    return this.source.next >= this.source.rows.length;
  }
}

/** Check the mocked sources against the plan up front: inside the run a bad row would only be a reported error. */
function mockSources(topology: Topology, mocked: Readonly<Record<string, readonly unknown[][]>>): Map<string, MockSource> {
  const out = new Map<string, MockSource>();
  for (const [id, rows] of Object.entries(mocked)) {
    const def = componentById(topology.plan, id);
    if (!def || def.kind !== 'spout') throw new Error(`completeTopology: mockedSources names '${id}', which is not a spout of '${topology.name}'`);
    const stream = def.streams[DEFAULT_STREAM];
    if (!stream) throw new Error(`completeTopology: spout '${id}' declares no default stream for its mocked tuples`);
    rows.forEach((row, i) => {
      if (!Array.isArray(row) || row.length !== stream.fields.length) {
        throw new Error(`completeTopology: mocked tuple ${i} of '${id}' must have ${stream.fields.length} value(s) (${stream.fields.join(', ')}), got ${JSON.stringify(row)}`);
      }
    });
    out.set(id, new MockSource(id, rows));
  }
  return out;
}

/**
 * Run `topology` in the calling thread until it completes (every spout exhausted, every
 * tree acked or failed), with the spouts named in `mockedSources` emitting the given
 * tuples. Every other spout must end by itself (`isExhausted`). Throws when the run
 * fails or does not complete within `timeoutMs`.
 */
export async function completeTopology(topology: Topology, options: CompleteTopologyOptions = {}): Promise<CompleteTopologyResult> {
  const sources = mockSources(topology, options.mockedSources ?? {});
  const emitted: CompleteTopologyResult['emitted'] = {};
  for (const c of topology.plan.components) {
    emitted[c.id] = Object.fromEntries(Object.keys(c.streams).map((s) => [s, [] as unknown[][]]));
  }
  const acked: MockedTuple[] = [];
  const failed: MockedTuple[] = [];
  const onEmit = (r: EmitRecord): void => {
    ((emitted[r.component] ??= {})[r.stream] ??= []).push(r.values);
  };
  const wrapped: Topology = {
    kind: 'topo.topology',
    name: topology.name,
    plan: topology.plan,
    create(componentId: string): Component {
      const source = sources.get(componentId);
      const instance = source
        ? new MockSpoutTask(source, (ok, index) => (ok ? acked : failed).push({ spout: source.spout, index, values: [...source.rows[index]!] }))
        : topology.create(componentId);
      return captureComponent(instance, componentById(topology.plan, componentId)!, { emit: onEmit });
    },
    createGrouping: (key) => topology.createGrouping(key),
    createTaskHooks: () => topology.createTaskHooks(),
    sharedResources: topology.sharedResources,
  };

  const timeoutMs = options.timeoutMs ?? 10000;
  const clock = options.clock;
  const handle = await runTopology(wrapped, { config: options.config ?? {}, ...(clock ? { clock } : {}) });
  let timer: NodeJS.Timeout | undefined;
  let over = false;
  const timedOut = new Promise<null>((r) => (timer = setTimeout(() => r(null), timeoutMs)));
  const ended = handle.completion.finally(() => (over = true));
  let moveError: unknown = null;
  const moved = clock ? moveTime(clock, handle, () => over).catch((e: unknown) => void (moveError = e)) : null;
  const finished = await Promise.race([ended, timedOut]);
  over = true;
  clearTimeout(timer);
  await moved;
  if (moveError !== null) {
    await handle.stop();
    throw moveError;
  }
  if (finished === null) {
    const summary = await handle.stop();
    const endless = topology.plan.components.filter((c) => c.kind === 'spout' && !sources.has(c.id)).map((c) => c.id);
    throw new Error(
      `completeTopology: '${topology.name}' did not complete within ${timeoutMs} ms (${summary.pending} tree(s) pending)` +
        (endless.length > 0 ? `; unmocked spouts must become exhausted: ${endless.join(', ')}` : ''),
    );
  }
  // Failed trees are the caller's to inspect (`failed`): mocked spouts do not replay them.
  if (finished.status !== 'completed' && finished.status !== 'completed-with-failures') {
    throw new Error(`completeTopology: '${topology.name}' ended with status '${finished.status}'${finished.error ? `: ${finished.error}` : ''}`);
  }
  return { summary: finished, emitted, acked, failed };
}

/**
 * Under simulated time: settle, and while the run is not over, jump to the next timer. The
 * supervisor notices completion on its own (real-time) poll, so a few more timers may fire
 * meanwhile; they find nothing left to do.
 */
async function moveTime(clock: SimulatedTime, handle: { readonly supervisor: { readonly shared: { totalPending(): number } } }, over: () => boolean): Promise<void> {
  while (!over()) {
    await clock.settle();
    const next = clock.nextDue;
    if (next === null || handle.supervisor.shared.totalPending() === 0) {
      // Nothing can move by time alone: wait (real time) for the run to end or to give up.
      await new Promise((r) => setTimeout(r, 5));
      continue;
    }
    await clock.advanceTo(next);
  }
}
