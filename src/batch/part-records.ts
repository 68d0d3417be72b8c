/**
 * The records of one rolled part as a batch run reads them: from the part's binary form
 * (master/binary-form.ts) when it matches the part, else from the JSON Lines (reader.ts),
 * writing the binary form for the next run. Either way the caller sees the same chunks'
 * records, the same bad lines with the same line numbers in line order, and `check` (the
 * dataset's validation, which may change between runs) applied to every record: the binary
 * form holds what JSON.parse made of each line, not what the views make of it.
 */
import { accessSync, constants, statSync, type Stats } from 'node:fs';
import { dirname } from 'node:path';
import { BinaryFormWriter, readBinaryForm, type BinaryForm } from './master/binary-form.js';
import { BadRecordError, readRecordChunks, type RecordCheck } from './reader.js';

export async function* readPartRecords<R>(file: string, onBad: (err: BadRecordError) => void, check: RecordCheck): AsyncGenerator<R[]> {
  // Throws ENOENT for a part a compaction removed: the caller lists the partition again.
  const source = statSync(file);
  const form = readBinaryForm(file, source);
  if (form !== null) {
    yield* fromForm<R>(file, form, onBad, check);
    return;
  }
  // A dataset this run may not write to (a read-only mount, another user's) is read as JSON
  // Lines each time, without packing forms that could not be kept.
  if (!writable(dirname(file))) yield* readRecordChunks<R>(file, onBad, check);
  else yield* deriving<R>(file, source, onBad, check);
}

function writable(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

async function* deriving<R>(file: string, source: Stats, onBad: (err: BadRecordError) => void, check: RecordCheck): AsyncGenerator<R[]> {
  const form = new BinaryFormWriter();
  let values: unknown[] = [];
  let count = 0;
  const lines: number[] = [];
  const notJson: Array<[number, string]> = [];
  let sequential = true;
  const observe = {
    value: (v: unknown, line: number): void => {
      if (line !== ++count) sequential = false;
      values.push(v);
      lines.push(line);
    },
    notJson: (line: number, reason: string): void => {
      notJson.push([line, reason]);
    },
  };
  for await (const chunk of readRecordChunks<R>(file, onBad, check, observe)) {
    form.add(values);
    values = [];
    yield chunk;
  }
  form.add(values);
  form.write(file, source, sequential ? null : lines, notJson);
}

function* fromForm<R>(file: string, form: BinaryForm, onBad: (err: BadRecordError) => void, check: RecordCheck): Generator<R[]> {
  const { lines, notJson } = form;
  let j = 0, n = 0;
  for (let c = 0; c < form.chunks.length; c++) {
    let values: unknown[];
    try {
      values = form.chunk(c);
    } catch (err) {
      throw new BadRecordError(file, lines === null ? n + 1 : lines[n] ?? n + 1, `unreadable: ${(err as Error).message}`);
    }
    const out: R[] = [];
    for (const v of values) {
      const line = lines === null ? n + 1 : lines[n]!;
      n++;
      for (; j < notJson.length && notJson[j]![0] < line; j++) onBad(new BadRecordError(file, notJson[j]![0], notJson[j]![1]));
      const problem = check(v);
      if (problem !== null) onBad(new BadRecordError(file, line, problem));
      else out.push(v as R);
    }
    if (out.length > 0) yield out;
  }
  for (; j < notJson.length; j++) onBad(new BadRecordError(file, notJson[j]![0], notJson[j]![1]));
}
