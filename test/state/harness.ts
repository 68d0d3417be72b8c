// Drives one StatefulBoltRunner in the test's thread: a collector that records acks, fails,
// resets, emits and errors, a context for one task of a component, and plain tuples. The
// checkpoint store under it is real (a redis-server started by the test, or memory).
import type { OutputCollector, Anchors } from '../../src/api/collectors.js';
import type { TopologyContext } from '../../src/api/context.js';
import type { Tuple } from '../../src/api/tuple.js';
import { TICK_STREAM } from '../../src/api/tuple.js';
import { wallClock } from '../../src/api/clock.js';
import type { StatefulBolt, StateOptions } from '../../src/api/stateful.js';
import { StatefulBoltRunner } from '../../src/state/state-bolt.js';
import { toStateSpec } from '../../src/state/stateful.js';

export class RecordingCollector implements OutputCollector {
  readonly acked: Tuple[] = [];
  readonly failed: Tuple[] = [];
  readonly resets: Tuple[] = [];
  readonly emitted: Array<{ anchors: Anchors; values: unknown[] }> = [];
  readonly errors: string[] = [];
  runFailure: string | null = null;
  emit(anchors: Anchors, values: unknown[]): void {
    this.emitted.push({ anchors, values });
  }
  emitDirect(_task: number, anchors: Anchors, values: unknown[]): void {
    this.emitted.push({ anchors, values });
  }
  ack(t: Tuple): void {
    this.acked.push(t);
  }
  fail(t: Tuple): void {
    this.failed.push(t);
  }
  resetTimeout(t: Tuple): void {
    this.resets.push(t);
  }
  reportError(e: unknown): void {
    this.errors.push(e instanceof Error ? e.message : String(e));
  }
  failRun(e: unknown): void {
    this.runFailure = e instanceof Error ? e.message : String(e);
  }
}

export function context(component: string, taskIndex = 0, tasks = 1, topologyName = 'state-test'): TopologyContext {
  const ids = Array.from({ length: tasks }, (_, i) => i + 1);
  return {
    topologyName, componentId: component, taskId: taskIndex + 1, taskIndex, workerIndex: 0,
    getComponentTasks: () => ids,
    getComponentOutputFields: () => ['key'],
    getComponentId: () => component,
    getThisSources: () => [{ component: 'src', stream: 'default' }],
    addTaskHook: () => {},
    getSharedResource: () => { throw new Error('no shared resources in the state harness'); },
    clock: wallClock,
  };
}

export function tuple(values: unknown[], stream = 'default'): Tuple {
  const fields = stream === TICK_STREAM ? [] : ['key', 'n'].slice(0, values.length);
  return {
    values, fields, sourceComponent: stream === TICK_STREAM ? '__system' : 'src', sourceStreamId: stream, sourceTask: 1,
    getValue: (i) => values[i],
    getValueByField: (f) => values[fields.indexOf(f)],
    getString: (i) => values[i] as string,
    getStringByField: (f) => values[fields.indexOf(f)] as string,
    getNumberByField: (f) => values[fields.indexOf(f)] as number,
    contains: (f) => fields.includes(f),
    fieldIndex: (f) => fields.indexOf(f),
    isTick: () => stream === TICK_STREAM,
  };
}

export const tick = (): Tuple => tuple([], TICK_STREAM);

export interface Driven {
  readonly runner: StatefulBoltRunner;
  readonly collector: RecordingCollector;
  /** Deliver a tuple as the executor would, waiting for a checkpoint it starts. */
  send(t: Tuple): Promise<void>;
}

export async function drive(
  bolt: StatefulBolt,
  config: Record<string, unknown>,
  options: StateOptions = {},
  ctx: TopologyContext = context('count'),
): Promise<Driven> {
  const runner = new StatefulBoltRunner(bolt, toStateSpec(options));
  const collector = new RecordingCollector();
  await runner.prepare(config, ctx, collector);
  return {
    runner, collector,
    send: async (t) => {
      await runner.execute(t);
    },
  };
}

/** Poll until `cond` holds, at most `ms`. */
export async function until(cond: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
