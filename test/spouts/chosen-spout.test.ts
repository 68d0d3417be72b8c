// chooseSpout: the spout picked in open gets every call, the fail reason included (the two
// example inputs once dropped it, so timeouts and thread deaths counted against a line's
// attempts), and a choice that declares other fields fails open naming both.
import { describe, expect, it } from 'vitest';
import { chooseSpout, type Config, type FailReason, type MessageId, type OutputFieldsDeclarer, type Spout, type SpoutOutputCollector, type TopologyContext } from '../../src/index.js';

class Recording implements Spout {
  readonly calls: string[] = [];
  constructor(private readonly fields: string[]) {}
  declareOutputFields(d: OutputFieldsDeclarer): void {
    d.declare(this.fields);
  }
  open(config: Config): void {
    this.calls.push(`open ${String(config['which'])}`);
  }
  nextTuple(): void {
    this.calls.push('next');
  }
  ack(id: MessageId): void {
    this.calls.push(`ack ${id}`);
  }
  fail(id: MessageId, reason?: FailReason): void {
    this.calls.push(`fail ${id} ${reason}`);
  }
  isExhausted(): boolean {
    return true;
  }
  close(): void {
    this.calls.push('close');
  }
}

const context = { componentId: 'lines' } as TopologyContext;
const collector = {} as SpoutOutputCollector;

describe('chooseSpout', () => {
  it('opens the spout chosen from the config and forwards every call to it, fail reasons included', () => {
    const a = new Recording(['line', 'id']);
    const b = new Recording(['line', 'id']);
    const spout = chooseSpout(['line', 'id'], (config) => (config['which'] === 'a' ? a : b))();
    let fields: readonly string[] = [];
    spout.declareOutputFields({ declare: (f) => void (fields = f), declareStream: () => {} });
    expect(fields).toEqual(['line', 'id']);
    expect(spout.isExhausted()).toBe(false); // nothing chosen yet
    spout.open({ which: 'b' }, context, collector);
    spout.nextTuple();
    spout.ack(1);
    spout.fail(2, 'timeout');
    spout.fail(3, 'lost');
    spout.fail(4, 'failed');
    expect(spout.isExhausted()).toBe(true);
    spout.close();
    expect(b.calls).toEqual(['open b', 'next', 'ack 1', 'fail 2 timeout', 'fail 3 lost', 'fail 4 failed', 'close']);
    expect(a.calls).toEqual([]);
  });

  it('fails open when the chosen spout declares other fields, naming both', () => {
    const spout = chooseSpout(['line', 'id'], () => new Recording(['line', 'lineNumber']))();
    expect(() => spout.open({}, context, collector)).toThrow("spout 'lines': the spout chosen in open declares (line, lineNumber), not the fields chooseSpout was given (line, id)");
  });
});
