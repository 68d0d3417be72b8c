/**
 * msgpackr micro-benchmarks for one 1000-tuple batch (ops/s = batches/s).
 *
 * Questions answered:
 *  - nested (array of arrays) vs flat (one array) layout, encode and decode;
 *  - module-level `pack` vs a reused Packr vs a new Packr per call;
 *  - default Packr (records on) vs `useRecords: false`. Records only apply to
 *    plain objects, so they are also measured on object-shaped tuples;
 *  - the runtime's own frame (src/runtime/transport/frames.ts: numbers and anchors as typed
 *    arrays, only the values through msgpack) against those msgpack layouts.
 */
import { Packr, pack } from 'msgpackr';
import type { ScenarioResult } from '../lib/report.js';
import { consumeFlat, consumeNested, countingSink, flatten, makeBatch, ownBytes } from '../lib/tuples.js';
import type { MicroCase } from './suite.js';
import { decodeFrame, encodeFrame } from '../../src/runtime/transport/frames.js';
import { runSuite } from './suite.js';

const BATCH = 1000;

export function microCodec(quick: boolean): ScenarioResult[] {
  const nested = makeBatch(BATCH);
  const flat = flatten(nested);
  const objects = nested.map(([target, source, stream, anchors, values]) => ({ target, source, stream, anchors, values }));

  const plain = new Packr({ useRecords: false });
  const records = new Packr(); // msgpackr's Packr default: records enabled
  const nestedBytes = ownBytes(plain.pack(nested));
  const flatBytes = ownBytes(plain.pack(flat));
  const objPlainBytes = ownBytes(plain.pack(objects));
  const objRecordBytes = ownBytes(records.pack(objects));
  // Each decoder gets its own Packr, as a receiving thread would have.
  const reader = new Packr({ useRecords: false });
  const recordReader = new Packr();

  // The runtime's flat slots: task, stream code, source task, anchors, values.
  const slots: unknown[] = [];
  for (const [target, source, stream, anchors, values] of nested) slots.push(target, stream, source, anchors, values);
  const frameBytes = encodeFrame(slots);

  let sink = 0; // consumed below so no case's result is dead code
  const cases: MicroCase[] = [
    { name: 'encode nested, module pack()', config: { bytes: nestedBytes.length }, fn: () => void (sink += pack(nested).length) },
    { name: 'encode nested, reused Packr', fn: () => void (sink += plain.pack(nested).length) },
    { name: 'encode nested, new Packr per call', fn: () => void (sink += new Packr({ useRecords: false }).pack(nested).length) },
    { name: 'encode nested, default Packr (records)', fn: () => void (sink += records.pack(nested).length) },
    { name: 'encode flat, reused Packr', config: { bytes: flatBytes.length }, fn: () => void (sink += plain.pack(flatten(nested)).length) },
    { name: 'decode nested + walk', fn: () => void (sink += consumeNested(reader.unpack(nestedBytes), countingSink)) },
    { name: 'decode flat + walk', fn: () => void (sink += consumeFlat(reader.unpack(flatBytes), countingSink)) },
    { name: 'encode runtime frame (binary header)', config: { bytes: frameBytes.length }, fn: () => void (sink += encodeFrame(slots).length) },
    { name: 'decode runtime frame', fn: () => void (sink += decodeFrame(frameBytes).length) },
    { name: 'encode objects, useRecords:false', config: { bytes: objPlainBytes.length }, fn: () => void (sink += plain.pack(objects).length) },
    { name: 'encode objects, records', config: { bytes: objRecordBytes.length }, fn: () => void (sink += records.pack(objects).length) },
    { name: 'decode objects, useRecords:false', fn: () => void (sink += (reader.unpack(objPlainBytes) as unknown[]).length) },
    { name: 'decode objects, records', fn: () => void (sink += (recordReader.unpack(objRecordBytes) as unknown[]).length) },
  ];
  const rows = runSuite('codec', cases, quick);
  if (sink === 0) throw new Error('codec cases produced nothing');
  for (const r of rows) r.config = { batchSize: BATCH, ...r.config };
  return rows;
}
