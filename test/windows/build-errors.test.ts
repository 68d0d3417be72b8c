import { describe, expect, it } from 'vitest';
import {
  BaseSpout, BaseWindowedBolt, TopologyBuilder, TopologyValidationError, windowed,
  type OutputFieldsDeclarer, type WindowOptions,
} from '../../src/index.js';

class Events extends BaseSpout {
  declareOutputFields(d: OutputFieldsDeclarer): void {
    d.declare(['key', 'ts']);
    d.declareStream('other', ['key']);
  }
  open(): void {}
  nextTuple(): void {}
}

class Sum extends BaseWindowedBolt {
  override declareOutputFields(d: OutputFieldsDeclarer): void {
    d.declare(['sum']);
  }
  execute(): void {}
}

/** The build's problems for one window bolt 'w' subscribed to 'events' (and optionally its 'other' stream). */
function problems(options: WindowOptions, config: Record<string, unknown> = {}, other = false): string[] {
  const b = new TopologyBuilder();
  b.setSpout('events', Events);
  const d = b.setBolt('w', windowed(Sum, options)).shuffleGrouping('events');
  if (other) d.shuffleGrouping('events', 'other');
  try {
    b.build('t', config);
    return [];
  } catch (err) {
    expect(err).toBeInstanceOf(TopologyValidationError);
    return (err as TopologyValidationError).errors;
  }
}

describe('window bolts: build-time checks', () => {
  it('accepts a valid event-time sliding window and records its spec and tick in the plan', () => {
    const b = new TopologyBuilder();
    b.setSpout('events', Events);
    b.setBolt('w', windowed(Sum, { sliding: { durationMs: 1000, everyMs: 500 }, timestampField: 'ts', lagMs: 100 })).shuffleGrouping('events');
    const t = b.build('t');
    const w = t.plan.components.find((c) => c.id === 'w')!;
    expect(w.config['tickFrequencyMs']).toBe(50);
    expect(w.config['topo.window']).toMatchObject({ by: 'time', length: 1000, slide: 500, eventTime: true, timestampField: 'ts' });
    expect(Object.keys(w.streams)).toEqual(['default', 'late']);
  });

  it('fails a window shorter than its slide, naming the bolt', () => {
    expect(problems({ sliding: { durationMs: 1000, everyMs: 2000 } })).toEqual([
      "bolt 'w': window length (1000 ms) is shorter than its slide (2000 ms); tuples between windows would belong to none",
    ]);
    expect(problems({ sliding: { count: 5, every: 10 } })[0]).toMatch(/^bolt 'w': window length \(5 tuples\) is shorter than its slide \(10 tuples\)/);
  });

  it('fails a negative lag or allowed lateness', () => {
    const errs = problems({ tumbling: { durationMs: 1000 }, timestampField: 'ts', lagMs: -1, allowedLatenessMs: -5 });
    expect(errs).toContain("bolt 'w': window lagMs must be a non-negative number, got -1");
    expect(errs).toContain("bolt 'w': window allowedLatenessMs must be a non-negative number, got -5");
  });

  it('fails a timestamp field an input stream does not declare, naming the stream and its fields', () => {
    expect(problems({ tumbling: { durationMs: 1000 }, timestampField: 'when' })).toEqual([
      "bolt 'w': window timestampField 'when' is not declared by 'events' stream 'default' (fields: key, ts)",
    ]);
    expect(problems({ tumbling: { durationMs: 1000 }, timestampField: 'ts' }, {}, true)).toEqual([
      "bolt 'w': window timestampField 'ts' is not declared by 'events' stream 'other' (fields: key)",
    ]);
  });

  it("fails when messageTimeoutMs does not exceed the window's length plus slide (Storm's rule)", () => {
    expect(problems({ sliding: { durationMs: 20_000, everyMs: 10_000 } })).toEqual([
      "bolt 'w': messageTimeoutMs (30000 ms) must exceed the window's length + slide (30000 ms), or held tuples time out and replay",
    ]);
    expect(problems({ sliding: { durationMs: 20_000, everyMs: 10_000 } }, { messageTimeoutMs: 30_001 })).toEqual([]);
    // Event time holds a window open for the lag and the allowed lateness too.
    expect(problems({ tumbling: { durationMs: 10_000 }, timestampField: 'ts', lagMs: 5000, allowedLatenessMs: 5000 })[0]).toMatch(
      /messageTimeoutMs \(30000 ms\) must exceed the window's length \+ slide \+ lagMs \+ allowedLatenessMs \(30000 ms\)/,
    );
    expect(problems({ sliding: { durationMs: 20_000, everyMs: 10_000 } }, { enableMessageTimeouts: false })).toEqual([]);
  });

  it('fails a count window that the spouts pending limit can never fill', () => {
    expect(problems({ tumbling: { count: 50 } }, { maxSpoutPending: 10 })).toEqual([
      "bolt 'w': a count window of 50 tuples can never fill: at most 10 trees are pending (maxSpoutPending 10 x 1 spout task(s))",
    ]);
  });

  it('fails options of the wrong shape, and event-time options without event time', () => {
    expect(problems({} as WindowOptions)).toEqual(["bolt 'w': window options need exactly one of tumbling and sliding"]);
    expect(problems({ tumbling: { durationMs: 0 } })).toEqual(["bolt 'w': window length must be a positive number of ms, got 0"]);
    expect(problems({ tumbling: { count: 2.5 } })[0]).toBe("bolt 'w': window length must be a positive integer, got 2.5");
    expect(problems({ tumbling: { durationMs: 1000 }, lagMs: 10 })).toEqual([
      "bolt 'w': lagMs, allowedLatenessMs and idleTimeoutMs apply to event time only; set timestampField or timestamp",
    ]);
    expect(problems({ tumbling: { count: 10 }, timestampField: 'ts' })[0]).toMatch(/count windows count arrivals/);
    expect(problems({ tumbling: { durationMs: 1000 }, timestampField: 'ts', lateStream: '__late' })).toContain(
      "bolt 'w': window lateStream must be a non-empty stream id not starting with '__', got \"__late\"",
    );
  });

  it('fails a late stream that the window bolt also declares itself', () => {
    class Clash extends Sum {
      override declareOutputFields(d: OutputFieldsDeclarer): void {
        d.declareStream('late', ['x']);
      }
    }
    const b = new TopologyBuilder();
    b.setSpout('events', Events);
    b.setBolt('w', windowed(Clash, { tumbling: { durationMs: 1000 }, timestampField: 'ts' })).shuffleGrouping('events');
    expect(() => b.build('t')).toThrow("component 'w' stream 'late' is declared twice");
  });
});

describe('window bolts: run-time configuration', () => {
  it('refuses a run whose merged messageTimeoutMs breaks the window rule the build checked', async () => {
    const { runTopology } = await import('../../src/index.js');
    const b = new TopologyBuilder();
    b.setSpout('events', Events);
    b.setBolt('w', windowed(Sum, { tumbling: { durationMs: 1000 } })).shuffleGrouping('events');
    const t = b.build('t');
    await expect(runTopology(t, { config: { messageTimeoutMs: 1500 } })).rejects.toThrow(
      "bolt 'w': messageTimeoutMs (1500 ms) must exceed the window's length + slide (2000 ms)",
    );
  });
});
