/**
 * What users implement: spouts, bolts and basic bolts, with Storm's vocabulary.
 * Everything here is an interface or a small base class; the runtime never relies on
 * `instanceof`, because a topology bundle may carry its own copy of these classes.
 */
import type { Tuple } from './tuple.js';
import type { TopologyContext } from './context.js';
import type { OutputCollector, SpoutOutputCollector, BasicOutputCollector } from './collectors.js';
import type { OutputFieldsDeclarer } from './declarer.js';

/** The merged configuration a component sees in `open`/`prepare`. */
export type Config = Readonly<Record<string, unknown>>;

/** Message id a spout attaches to a tuple to have its tree tracked. Must survive msgpack. */
export type MessageId = string | number;

/**
 * Why a tree failed, as the spout's `fail` learns it. Only `failed` is the input's fault: a
 * bolt failed a tuple of the tree (`collector.fail`, a throw, a tuple it could not encode).
 * `timeout` (not completed within `messageTimeoutMs`) and `lost` (a worker thread the tree
 * reached died) are the runtime's trouble, so a spout that gives up on poison input
 * (LineFileSpout's `maxAttempts`) counts only `failed`.
 */
export type FailReason = 'failed' | 'timeout' | 'lost';

export interface Spout {
  declareOutputFields(declarer: OutputFieldsDeclarer): void;
  open(config: Config, context: TopologyContext, collector: SpoutOutputCollector): void | Promise<void>;
  /** Emit zero or more tuples. Called in a loop while the spout is active and not throttled. */
  nextTuple(): void;
  /** The tree rooted at a tuple emitted with `msgId` was fully processed. */
  ack?(msgId: MessageId): void;
  /** The tree failed or timed out; a reliable spout emits it again. */
  fail?(msgId: MessageId, reason?: FailReason): void;
  /**
   * True when the spout has nothing more to emit now or later (input at its end and no
   * failed message waiting for replay). Polled by the runtime; it may turn false again
   * when a failure arrives.
   */
  isExhausted?(): boolean;
  activate?(): void;
  deactivate?(): void;
  close?(): void | Promise<void>;
  /** Storm's getComponentConfiguration: this component's default settings; the declarer's addConfiguration wins over them. */
  getComponentConfiguration?(): Config;
}

export interface Bolt {
  declareOutputFields(declarer: OutputFieldsDeclarer): void;
  prepare(config: Config, context: TopologyContext, collector: OutputCollector): void | Promise<void>;
  execute(tuple: Tuple): void;
  /**
   * Called once when all input has ended (every spout exhausted and every upstream bolt
   * finished), before `cleanup`. The bolt may still emit (unanchored). Use it to flush
   * buffered state in bounded runs.
   */
  finish?(): void | Promise<void>;
  cleanup?(): void | Promise<void>;
  /** Storm's getComponentConfiguration: this component's default settings; the declarer's addConfiguration wins over them. */
  getComponentConfiguration?(): Config;
}

/**
 * A bolt whose emits are anchored to the input and whose input is acked after `execute`
 * returns (or its promise resolves). A thrown error (or rejection) fails the input.
 */
export interface BasicBolt {
  declareOutputFields(declarer: OutputFieldsDeclarer): void;
  prepare?(config: Config, context: TopologyContext): void | Promise<void>;
  execute(tuple: Tuple, collector: BasicOutputCollector): void | Promise<void>;
  finish?(collector: BasicOutputCollector): void | Promise<void>;
  cleanup?(): void | Promise<void>;
  /** Storm's getComponentConfiguration: this component's default settings; the declarer's addConfiguration wins over them. */
  getComponentConfiguration?(): Config;
}

export type Component = Spout | Bolt | BasicBolt;

/** A component is given to the builder as a class or as a factory returning a fresh instance. */
export type ComponentClass<T> = new () => T;
export type ComponentFactory<T> = () => T;
export type ComponentSource<T> = ComponentClass<T> | ComponentFactory<T>;

/**
 * Base classes with no-op defaults, as Storm's BaseRichSpout / BaseRichBolt. Every optional
 * method of the interface is declared here, so a subclass writes `override` on any of them
 * (required under `noImplicitOverride`); the defaults behave as if the method were absent.
 */
export abstract class BaseSpout implements Spout {
  abstract declareOutputFields(declarer: OutputFieldsDeclarer): void;
  abstract open(config: Config, context: TopologyContext, collector: SpoutOutputCollector): void | Promise<void>;
  abstract nextTuple(): void;
  ack(_msgId: MessageId): void {}
  fail(_msgId: MessageId, _reason?: FailReason): void {}
  /** Never exhausted by default: the run ends on --duration or a signal. */
  isExhausted(): boolean {
    return false;
  }
  activate(): void {}
  deactivate(): void {}
  close(): void | Promise<void> {}
}

export abstract class BaseBolt implements Bolt {
  declareOutputFields(_declarer: OutputFieldsDeclarer): void {}
  abstract prepare(config: Config, context: TopologyContext, collector: OutputCollector): void | Promise<void>;
  abstract execute(tuple: Tuple): void;
  finish(): void | Promise<void> {}
  cleanup(): void | Promise<void> {}
}

export abstract class BaseBasicBolt implements BasicBolt {
  /** Marks the class as a basic bolt for the runtime (duck typing, no instanceof). */
  readonly isBasicBolt = true as const;
  declareOutputFields(_declarer: OutputFieldsDeclarer): void {}
  prepare(_config: Config, _context: TopologyContext): void | Promise<void> {}
  abstract execute(tuple: Tuple, collector: BasicOutputCollector): void | Promise<void>;
  finish(_collector: BasicOutputCollector): void | Promise<void> {}
  cleanup(): void | Promise<void> {}
}
