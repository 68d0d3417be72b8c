/**
 * `topo produce`'s line check from an application's input format: parse the line (a throw
 * is a reject, format.ts), validate the record against its dataset, and give the entry's
 * identity, duplicate key and event time (the format's `stream` hooks). The producer
 * (src/spouts/stream-produce.ts) knows streams, not formats: this is where the two meet, on
 * the batch side, so that spouts never import the batch layer.
 */
import type { LineCheck } from '../spouts/stream-produce.js';
import { factProblem, type DatasetDef } from './dataset.js';
import { parseLine, type InputFormat } from './format.js';

export interface StreamCheck {
  readonly check: LineCheck;
  /** The format's duplicate window, when it removes duplicates. */
  readonly duplicateWindowMs?: number;
}

/** The line check of `format` over `dataset`, with the parser options (`--host`, ...). */
export function streamCheck<R>(format: InputFormat<R>, dataset: DatasetDef<R>, options: Readonly<Record<string, unknown>> = {}): StreamCheck {
  const identityOf = format.stream?.identityOf ?? dataset.id;
  const dup = format.stream?.duplicates;
  const check: LineCheck = (line, at) => {
    const r = parseLine(format, line, { ...at, options });
    if (!r.ok) return r;
    const problem = factProblem(dataset, r.record);
    if (problem !== null) return { ok: false, reason: `not a fact of dataset '${dataset.name}': ${problem}` };
    try {
      return { ok: true, identity: identityOf(r.record), duplicateKey: dup?.keyOf(r.record) ?? null, time: dataset.eventTime(r.record) };
    } catch (err) {
      // The application's identity code is as fallible as its parser: a reject, not a crash.
      return { ok: false, reason: `format '${format.name}': identity threw: ${(err as Error).message ?? String(err)}` };
    }
  };
  return { check, ...(dup !== undefined ? { duplicateWindowMs: dup.windowMs } : {}) };
}
