// The acker protocol's one home (src/topology/acker-protocol.ts): the root-id encoding round
// trips over its whole range, the message builders match the declared field layouts, and no
// other source file spells the protocol's stream ids or the root arithmetic itself.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ACK_ACK_STREAM, ACK_INIT_STREAM, ackerOfRoot, ackMessage, AT_ACK_WORKERS, AT_INIT_TASK, AT_INIT_WORKERS, AT_ROOT, AT_XHI, AT_XLO,
  BOLT_ACK_FIELDS, INIT_FIELDS, initMessage, ROOT_ONLY_FIELDS, rootId, rootMessage, rootSeq, rootSpoutTask, workerBit,
} from '../../src/topology/acker-protocol.js';
import { addSystemComponents } from '../../src/topology/system.js';
import { bolt, plan, shuffle, spout } from '../fixtures/topology/plans.js';
import { seededRandom } from '../helpers/random.js';

const SRC = join(import.meta.dirname, '../../src');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('the acker protocol', () => {
  it('encodes a root as (spout task, sequence) and decodes both back, at the edges and at random', () => {
    const rnd = seededRandom(7);
    const cases: Array<[number, number]> = [[1, 0], [1, 4294967295], [2 ** 21 - 1, 4294967295], [3, 1]];
    for (let i = 0; i < 10_000; i++) cases.push([1 + Math.floor(rnd() * (2 ** 21 - 1)), Math.floor(rnd() * 2 ** 32)]);
    for (const [task, seq] of cases) {
      const root = rootId(task, seq);
      expect(Number.isSafeInteger(root)).toBe(true);
      expect(root).not.toBe(0); // 0 marks a free slot in the tables
      expect(rootSpoutTask(root)).toBe(task);
      expect(rootSeq(root)).toBe(seq);
    }
  });

  it('picks the acker its spout task was assigned', () => {
    const ackerFor = [-1, 10, 11, 10];
    expect(ackerOfRoot(rootId(1, 99), ackerFor)).toBe(10);
    expect(ackerOfRoot(rootId(2, 4294967295), ackerFor)).toBe(11);
    expect(ackerOfRoot(rootId(3, 0), ackerFor)).toBe(10);
  });

  it('builds messages that match the layouts the system rewrite declares', () => {
    const init = initMessage(rootId(1, 5), -7, 9, 1, workerBit(2));
    expect(init).toHaveLength(INIT_FIELDS.length);
    expect([init[AT_ROOT], init[AT_XHI], init[AT_XLO], init[AT_INIT_TASK], init[AT_INIT_WORKERS]]).toEqual([rootId(1, 5), -7, 9, 1, 4]);
    const ack = ackMessage(rootId(1, 5), 3, 4, 6);
    expect(ack).toHaveLength(BOLT_ACK_FIELDS.length);
    expect(ack[AT_ACK_WORKERS]).toBe(6);
    expect(rootMessage(8)).toHaveLength(ROOT_ONLY_FIELDS.length);
    const p = addSystemComponents(plan([spout('s'), bolt('b', [shuffle('s')])]), { ackers: 1, messageTimeoutMs: 1000, enableMessageTimeouts: true });
    const s = p.components.find((c) => c.id === 's')!;
    const b = p.components.find((c) => c.id === 'b')!;
    expect(s.streams[ACK_INIT_STREAM]!.fields).toEqual(INIT_FIELDS);
    expect(b.streams[ACK_ACK_STREAM]!.fields).toEqual(BOLT_ACK_FIELDS);
  });

  it('gives threads 0..30 distinct bits (beyond, bits are shared: more trees fail, never fewer)', () => {
    const bits = new Set(Array.from({ length: 31 }, (_, w) => workerBit(w)));
    expect(bits.size).toBe(31);
    expect(workerBit(31)).toBe(workerBit(0));
  });

  it('is the only source file that spells the stream ids or the root arithmetic', () => {
    const offenders: string[] = [];
    for (const file of sources(SRC)) {
      if (file.endsWith('acker-protocol.ts')) continue;
      const text = readFileSync(file, 'utf8');
      if (/'__ack_|'__acker'|'__worker_lost'|4294967296|2 \*\* 32|% 31\)/.test(text.replace(/\/\/.*|\/\*[\s\S]*?\*\//g, ''))) offenders.push(relative(SRC, file));
    }
    // ids.ts turns 32 random bits into [0, 1); identity.ts packs batch record ids: neither is a root.
    expect(offenders.filter((f) => !['runtime/ids.ts', 'batch/runner/identity.ts'].includes(f))).toEqual([]);
  });
});
