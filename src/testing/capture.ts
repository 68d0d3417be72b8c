/**
 * Records what a component emits by wrapping the collector it is given, so tests see
 * every emit exactly as the runtime accepted it without any hook inside the runtime.
 * The wrapper patches the instance's own methods and calls the originals with the
 * instance as `this`, so class private fields and closures keep working.
 */
import type { BasicBolt, Bolt, Component, Config, Spout } from '../api/components.js';
import type { Anchors, BasicOutputCollector, OutputCollector, SpoutOutputCollector } from '../api/collectors.js';
import type { TopologyContext } from '../api/context.js';
import type { Tuple } from '../api/tuple.js';
import { DEFAULT_STREAM } from '../api/tuple.js';
import type { ComponentDef } from '../topology/plan.js';

/** One emit a component made (after the runtime validated it). */
export interface EmitRecord {
  readonly component: string;
  readonly stream: string;
  /** A shallow copy of the emitted values. */
  readonly values: unknown[];
  /** The input tuples the emit was anchored to (empty for spouts and unanchored emits). */
  readonly anchors: readonly Tuple[];
  /** Target task of an `emitDirect`, else undefined. */
  readonly directTask?: number;
}

/** What the wrapper reports. */
export interface CaptureHooks {
  emit(record: EmitRecord): void;
  /** A bolt's execute threw or rejected, or the component called `reportError`. */
  error?(component: string, input: Tuple | null, error: unknown): void;
  /** A bolt is about to execute `tuple`. */
  execute?(component: string, tuple: Tuple): void;
  /** A bolt's execute of `tuple` returned, or the promise it returned settled. */
  executed?(component: string, tuple: Tuple): void;
  /** A rich bolt was given its runtime collector in `prepare` (lets a harness settle held tuples). */
  prepared?(component: string, collector: OutputCollector): void;
}

type Methods = Record<string, unknown>;

function anchorList(anchors: Anchors): readonly Tuple[] {
  if (anchors === null || anchors === undefined) return [];
  return Array.isArray(anchors) ? [...(anchors as readonly Tuple[])] : [anchors as Tuple];
}

/**
 * Patch `instance` (created for the component `def`) so that its emits, and a bolt's
 * executions and errors, are reported to `hooks`. Returns the same instance.
 */
export function captureComponent<T extends Component>(instance: T, def: ComponentDef, hooks: CaptureHooks): T {
  const inst = instance as unknown as Methods;
  if (Object.isFrozen(inst)) throw new Error(`component '${def.id}': cannot record a frozen instance; return a fresh object from the factory`);
  const id = def.id;
  const record = (stream: string, values: unknown[], anchors: readonly Tuple[], directTask?: number): void =>
    hooks.emit({ component: id, stream, values: [...values], anchors, ...(directTask === undefined ? {} : { directTask }) });
  const report = (input: Tuple | null, err: unknown): void => hooks.error?.(id, input, err);

  if (def.kind === 'spout') {
    const spout = instance as unknown as Spout;
    const open = spout.open;
    inst.open = (config: Config, context: TopologyContext, c: SpoutOutputCollector) => open.call(spout, config, context, {
      emit(values, msgId, stream = DEFAULT_STREAM) {
        c.emit(values, msgId, stream);
        record(stream, values, []);
      },
      emitDirect(task, values, msgId, stream = DEFAULT_STREAM) {
        c.emitDirect(task, values, msgId, stream);
        record(stream, values, [], task);
      },
      reportError(error) {
        report(null, error);
        c.reportError(error);
      },
      deadLetter(msgId, reason) {
        c.deadLetter(msgId, reason);
      },
    });
    return instance;
  }

  // Errors are reported and rethrown: the runtime still decides what a throw means (fail).
  const guarded = <R>(input: Tuple, run: () => R): R => {
    hooks.execute?.(id, input);
    let r: R;
    try {
      r = run();
    } catch (err) {
      report(input, err);
      hooks.executed?.(id, input);
      throw err;
    }
    if (r instanceof Promise) {
      return r.then(
        (v: unknown) => {
          hooks.executed?.(id, input);
          return v;
        },
        (err: unknown) => {
          report(input, err);
          hooks.executed?.(id, input);
          throw err;
        },
      ) as R;
    }
    hooks.executed?.(id, input);
    return r;
  };

  if (def.basic) {
    const bolt = instance as unknown as BasicBolt;
    const execute = bolt.execute;
    const finish = bolt.finish;
    const wrap = (c: BasicOutputCollector, input: Tuple | null): BasicOutputCollector => ({
      emit(values, stream = DEFAULT_STREAM) {
        c.emit(values, stream);
        record(stream, values, input ? [input] : []);
      },
      emitDirect(task, values, stream = DEFAULT_STREAM) {
        c.emitDirect(task, values, stream);
        record(stream, values, input ? [input] : [], task);
      },
      resetTimeout: () => c.resetTimeout(),
      reportError(error) {
        report(input, error);
        c.reportError(error);
      },
    });
    inst.execute = (t: Tuple, c: BasicOutputCollector) => guarded(t, () => execute.call(bolt, t, wrap(c, t)));
    if (finish) inst.finish = (c: BasicOutputCollector) => finish.call(bolt, wrap(c, null));
    return instance;
  }

  const bolt = instance as unknown as Bolt;
  const prepare = bolt.prepare;
  const execute = bolt.execute;
  const wrapRich = (c: OutputCollector): OutputCollector => ({
    emit(anchors, values, stream = DEFAULT_STREAM) {
      c.emit(anchors, values, stream);
      record(stream, values, anchorList(anchors));
    },
    emitDirect(task, anchors, values, stream = DEFAULT_STREAM) {
      c.emitDirect(task, anchors, values, stream);
      record(stream, values, anchorList(anchors), task);
    },
    ack: (t) => c.ack(t),
    fail: (t) => c.fail(t),
    resetTimeout: (t) => c.resetTimeout(t),
    reportError(error) {
      report(null, error);
      c.reportError(error);
    },
    failRun(error) {
      report(null, error);
      c.failRun(error);
    },
  });
  inst.prepare = (config: Config, context: TopologyContext, c: OutputCollector) => {
    hooks.prepared?.(id, c);
    return prepare.call(bolt, config, context, wrapRich(c));
  };
  inst.execute = (t: Tuple) => guarded(t, () => execute.call(bolt, t) as unknown);
  return instance;
}
