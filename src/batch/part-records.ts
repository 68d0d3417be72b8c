/**
 * The records of one rolled part as a batch run reads them: from the part's binary form
 * (master/binary-form.ts) when it matches the part, else from the JSON Lines (reader.ts),
 * writing the binary form for the next run. Either way the caller sees the same chunks'
 * records, the same bad lines with the same line numbers in line order, and `check` (the
 * dataset's validation, which may change between runs) applied to every record: the binary
 * form holds what JSON.parse made of each line, not what the views make of it.
 */
import { statSync, type Stats } from 'node:fs';
import { readBinaryForm, writeBinaryForm, type BinaryForm } from './master/binary-form.js';
import { BadRecordError, readRecordChunks, type RecordCheck } from './reader.js';

const CHUNK = 8192;

export async function* readPartRecords<R>(file: string, onBad: (err: BadRecordError) => void, check: RecordCheck): AsyncGenerator<R[]> {
  // Throws ENOENT for a part a compaction removed: the caller lists the partition again.
  const source = statSync(file);
  const form = readBinaryForm(file, source);
  if (form !== null) {
    yield* fromForm<R>(file, form, onBad, check);
    return;
  }
  yield* deriving<R>(file, source, onBad, check);
}

async function* deriving<R>(file: string, source: Stats, onBad: (err: BadRecordError) => void, check: RecordCheck): AsyncGenerator<R[]> {
  const values: unknown[] = [];
  const lines: number[] = [];
  const notJson: Array<[number, string]> = [];
  let sequential = true;
  const observe = {
    value: (v: unknown, line: number): void => {
      if (line !== values.length + 1) sequential = false;
      values.push(v);
      lines.push(line);
    },
    notJson: (line: number, reason: string): void => {
      notJson.push([line, reason]);
    },
  };
  yield* readRecordChunks<R>(file, onBad, check, observe);
  writeBinaryForm(file, source, values, sequential ? null : lines, notJson);
}

function* fromForm<R>(file: string, form: BinaryForm, onBad: (err: BadRecordError) => void, check: RecordCheck): Generator<R[]> {
  const { values, lines, notJson } = form;
  let out: R[] = [];
  let j = 0;
  for (let i = 0; i < values.length; i++) {
    const line = lines === null ? i + 1 : lines[i]!;
    for (; j < notJson.length && notJson[j]![0] < line; j++) onBad(new BadRecordError(file, notJson[j]![0], notJson[j]![1]));
    const v = values[i];
    const problem = check(v);
    if (problem !== null) onBad(new BadRecordError(file, line, problem));
    else out.push(v as R);
    if (out.length >= CHUNK) {
      yield out;
      out = [];
    }
  }
  for (; j < notJson.length; j++) onBad(new BadRecordError(file, notJson[j]![0], notJson[j]![1]));
  if (out.length > 0) yield out;
}
