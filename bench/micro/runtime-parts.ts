/**
 * Micro-benchmarks of the runtime's per-tuple parts, one thread, `benchmark` package
 * (ops/s; one op is the stated unit of work):
 *  - acker ledger: a tree's life in the acker's table (init, one ack per edge, completion),
 *    against the Map-of-objects ledger it replaced;
 *  - grouping routing: `select` of shuffle, fields (one string field), localOrShuffle, all;
 *  - channel send/receive: one 1000-tuple frame through the SharedArrayBuffer ring and
 *    back out (copy in, view out), and a frame encoded + decoded with the runtime's codec.
 */
import { RootTable } from '../../src/runtime/acker/root-table.js';
import { createRouter, type RouteContext } from '../../src/grouping/routers.js';
import { RingChannel } from '../../src/runtime/transport/ring.js';
import { decodeFrame, encodeFrame } from '../../src/runtime/transport/frames.js';
import type { ScenarioResult } from '../lib/report.js';
import type { MicroCase } from './suite.js';
import { runSuite } from './suite.js';

const TREES = 1000;
const EDGES = 4;
const WORDS = ['the', 'quick', 'brown', 'fox', 'jumps', 'over', 'lazy', 'dog', 'and', 'runs'];

/** TREES trees of EDGES edges through a ledger: init, then acks until each completes. */
function ledgerRoundWithTable(table: RootTable, base: number): number {
  let done = 0;
  for (let t = 0; t < TREES; t++) {
    const root = 4294967296 + base + t;
    const e = table.upsert(root, 0);
    table.hi[e] ^= 0x5bd1e995 * EDGES;
    table.lo[e] ^= t + 1;
    table.spoutTask[e] = 1;
  }
  for (let k = 0; k < EDGES; k++) {
    for (let t = 0; t < TREES; t++) {
      const root = 4294967296 + base + t;
      const e = table.upsert(root, 0);
      table.hi[e] ^= 0x5bd1e995;
      if (k === EDGES - 1) {
        table.lo[e] ^= t + 1;
        table.remove(e);
        done++;
      }
    }
  }
  return done;
}

interface Entry { hi: number; lo: number; spoutTask: number; failed: boolean; workers: number; gen: number }

function ledgerRoundWithMap(map: Map<number, Entry>, base: number): number {
  let done = 0;
  for (let t = 0; t < TREES; t++) {
    map.set(4294967296 + base + t, { hi: 0x5bd1e995 * EDGES, lo: t + 1, spoutTask: 1, failed: false, workers: 0, gen: 0 });
  }
  for (let k = 0; k < EDGES; k++) {
    for (let t = 0; t < TREES; t++) {
      const root = 4294967296 + base + t;
      const e = map.get(root)!;
      e.hi ^= 0x5bd1e995;
      if (k === EDGES - 1) {
        e.lo ^= t + 1;
        map.delete(root);
        done++;
      }
    }
  }
  return done;
}

export function microRuntimeParts(quick: boolean): ScenarioResult[] {
  const table = new RootTable();
  const map = new Map<number, Entry>();
  let base = 0;

  const taskWorker = [0, 0, 1, 0, 1, 0, 1];
  const ctx: RouteContext = { sourceFields: ['word', 'n'], taskWorker, workerIndex: 0, ackerForSpoutTask: [], random: Math.random };
  const targets = [2, 3, 4, 5, 6];
  const shuffle = createRouter({ type: 'shuffle' }, targets, ctx);
  const fields = createRouter({ type: 'fields', fields: ['word'] }, targets, ctx);
  const local = createRouter({ type: 'localOrShuffle' }, targets, ctx);
  const all = createRouter({ type: 'all' }, targets, ctx);
  const tuples = WORDS.map((w, i) => [w, i]);

  const slots: unknown[] = [];
  for (let i = 0; i < 1000; i++) slots.push(2 + (i % 5), 3, 1, [4294967296 + i, i * 7919, -i - 1], [WORDS[i % WORDS.length], i]);
  const frame = encodeFrame(slots);
  const ring = RingChannel.create(1 << 20);
  let sink = 0;
  const route = (r: ReturnType<typeof createRouter>): void => {
    for (let i = 0; i < tuples.length; i++) {
      const s = r.select(tuples[i]!);
      sink += typeof s === 'number' ? s : s.length;
    }
  };

  const cases: MicroCase[] = [
    { name: `acker ledger, typed table (${TREES} trees x ${EDGES} edges)`, fn: () => void (sink += ledgerRoundWithTable(table, (base += TREES))) },
    { name: `acker ledger, Map of objects (${TREES} trees x ${EDGES} edges)`, fn: () => void (sink += ledgerRoundWithMap(map, (base += TREES))) },
    { name: `route shuffle (${tuples.length} tuples)`, fn: () => route(shuffle) },
    { name: `route fields, one string (${tuples.length} tuples)`, fn: () => route(fields) },
    { name: `route localOrShuffle (${tuples.length} tuples)`, fn: () => route(local) },
    { name: `route all, 5 targets (${tuples.length} tuples)`, fn: () => route(all) },
    {
      name: 'channel: ring send + receive one 1000-tuple frame', config: { bytes: frame.length },
      fn: () => {
        if (!ring.trySend(frame)) throw new Error('ring full');
        ring.drain((f) => void (sink += f.length));
      },
    },
    { name: 'channel: encode + decode one 1000-tuple frame', fn: () => void (sink += decodeFrame(encodeFrame(slots)).length) },
  ];
  const rows = runSuite('runtime', cases, quick);
  if (sink === 0) throw new Error('runtime micro cases produced nothing');
  return rows;
}
