/**
 * A spout that decides in `open`, where the run's config is known, which spout does the work
 * (a file or a Redis stream, a generator or a stream), and forwards every call to it, the
 * fail reason included (a replaying spout counts only a bolt's fails against a line's
 * attempts; a reason dropped here would count timeouts and thread deaths too).
 *
 *   builder.setSpout('lines', chooseSpout(['line', 'id'], (config) =>
 *     typeof config['stream'] === 'string' ? new RedisStreamSpout({ outputFields: ['line', 'id'] }) : new MyFileSpout()));
 *
 * The fields are declared before the choice can be made (the plan is built without config),
 * so every choice must declare exactly them on the default stream: `open` checks that and
 * fails naming both.
 */
import type { Config, FailReason, MessageId, Spout } from '../api/components.js';
import type { SpoutOutputCollector } from '../api/collectors.js';
import type { TopologyContext } from '../api/context.js';
import type { OutputFieldsDeclarer } from '../api/declarer.js';

export type SpoutChoice = (config: Config, context: TopologyContext) => Spout;

export class ChosenSpout implements Spout {
  private inner: Spout | null = null;

  constructor(
    private readonly fields: readonly string[],
    private readonly choose: SpoutChoice,
  ) {}

  declareOutputFields(d: OutputFieldsDeclarer): void {
    d.declare([...this.fields]);
  }

  open(config: Config, context: TopologyContext, collector: SpoutOutputCollector): void | Promise<void> {
    const inner = this.choose(config, context);
    const declared = declaredFields(inner);
    if (declared.join('\u0000') !== this.fields.join('\u0000')) {
      throw new Error(`spout '${context.componentId}': the spout chosen in open declares (${declared.join(', ') || 'no default stream'}), not the fields chooseSpout was given (${this.fields.join(', ')})`);
    }
    this.inner = inner;
    return inner.open(config, context, collector);
  }

  nextTuple(): void {
    this.inner!.nextTuple();
  }

  ack(msgId: MessageId): void {
    this.inner!.ack?.(msgId);
  }

  fail(msgId: MessageId, reason?: FailReason): void {
    this.inner!.fail?.(msgId, reason);
  }

  isExhausted(): boolean {
    return this.inner?.isExhausted?.() ?? false;
  }

  activate(): void {
    this.inner?.activate?.();
  }

  deactivate(): void {
    this.inner?.deactivate?.();
  }

  close(): void | Promise<void> {
    return this.inner?.close?.();
  }
}

/** The fields a spout declares on its default stream. */
function declaredFields(spout: Spout): readonly string[] {
  let fields: readonly string[] = [];
  const d: OutputFieldsDeclarer = {
    declare: (f) => void (fields = f),
    declareStream: (id, f) => void (id === 'default' ? (fields = f) : undefined),
  };
  spout.declareOutputFields(d);
  return fields;
}

/** A component source for the builder: one ChosenSpout per task. */
export function chooseSpout(fields: readonly string[], choose: SpoutChoice): () => ChosenSpout {
  return () => new ChosenSpout(fields, choose);
}
