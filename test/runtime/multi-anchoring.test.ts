import { describe, expect, it } from 'vitest';
import { TopologyBuilder, runTopology, type Bolt, type OutputCollector, type Tuple } from '../../src/index.js';
import { FeederSpout } from '../../src/testing/index.js';

/**
 * left and right feed a joiner that pairs tuples by key and emits one output anchored to
 * both inputs (then acks them); a holder downstream keeps outputs until the test settles them.
 */
async function start() {
  const left = new FeederSpout(['key', 'l']);
  const right = new FeederSpout(['key', 'r']);
  const held: Tuple[] = [];
  const ref: { holder?: OutputCollector } = {};
  const joiner = (): Bolt => {
    let c!: OutputCollector;
    const waiting = new Map<unknown, Tuple>();
    return {
      declareOutputFields: (d) => d.declare(['key', 'l', 'r']),
      prepare: (_conf, _ctx, collector) => void (c = collector),
      execute(t) {
        const other = waiting.get(t.getValue(0));
        if (!other) return void waiting.set(t.getValue(0), t);
        waiting.delete(t.getValue(0));
        const [l, r] = t.sourceComponent === 'left' ? [t, other] : [other, t];
        c.emit([l, r], [t.getValue(0), l.getValue(1), r.getValue(1)]);
        c.ack(l);
        c.ack(r);
      },
    };
  };
  const holder = (): Bolt => ({
    declareOutputFields() {},
    prepare: (_conf, _ctx, c) => void (ref.holder = c),
    execute: (t) => void held.push(t),
  });
  const b = new TopologyBuilder();
  b.setSpout('left', left.factory());
  b.setSpout('right', right.factory());
  b.setBolt('join', joiner).fieldsGrouping('left', ['key']).fieldsGrouping('right', ['key']);
  b.setBolt('hold', holder).shuffleGrouping('join');
  const handle = await runTopology(b.build('multi-anchor'), { config: { messageTimeoutMs: 5000 } });
  return { left, right, held, holder: () => ref.holder!, handle };
}

describe('multi-anchoring', () => {
  it('two trees joined into one output complete only when that output is acked', async () => {
    const { left, right, held, holder, handle } = await start();
    left.feed(['k', 'L'], 'left-1');
    right.feed(['k', 'R'], 'right-1');
    expect(await handle.waitIdle(2000)).toBe(true);
    expect(held.map((t) => [...t.values])).toEqual([['k', 'L', 'R']]);
    // The joiner acked both inputs, yet neither tree is complete: the output is still held.
    expect((await handle.metrics()).bolts['join']!.acked).toBe(2);
    expect(left.acked()).toEqual([]);
    expect(right.acked()).toEqual([]);
    holder().ack(held[0]!);
    await left.waitFor((t) => t.isAcked('left-1'), 1000);
    await right.waitFor((t) => t.isAcked('right-1'), 1000);
    left.finish();
    right.finish();
    expect((await handle.completion).status).toBe('completed');
  });

  it('failing the joined output fails both trees', async () => {
    const { left, right, held, holder, handle } = await start();
    left.feed(['k', 'L'], 'left-1');
    right.feed(['k', 'R'], 'right-1');
    expect(await handle.waitIdle(2000)).toBe(true);
    holder().fail(held[0]!);
    await left.waitFor((t) => t.isFailed('left-1'), 1000);
    await right.waitFor((t) => t.isFailed('right-1'), 1000);
    expect([...left.acked(), ...right.acked()]).toEqual([]);
    left.finish();
    right.finish();
    await handle.completion;
  });
});
