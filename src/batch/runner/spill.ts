/**
 * Spill files of the batch shuffle: one map task's events of one spill cell are one encoded
 * list (spill-codec.ts) appended to one file per thread and passed on as a byte range;
 * thousands of small spill files cost more to create, open and remove than to write.
 */
import { appendFileSync, closeSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { decodeSpill, SpillEncoder } from './spill-codec.js';

/** One map task's events of one partition: a list encoded by spill-codec.ts at `offset` in `path`. */
export type SpillRange = readonly [path: string, offset: number, length: number];

/** Reused by every map task of the thread: written out before the next one starts. */
const enc = new SpillEncoder();
/** Bytes appended so far to each spill file of this thread. */
const spillSizes = new Map<string, number>();

/**
 * Append the non-empty arrays of `lists` to this thread's spill file, in one write; returns
 * each one's index in `lists` and its range. The thread is the only writer of its file and
 * this runs without an await, so two map tasks of the thread never interleave their appends:
 * the offsets are exact.
 */
export function writeSpills(dir: string, lists: ReadonlyArray<readonly unknown[]>): Array<[index: number, range: SpillRange]> {
  const path = join(dir, `t${threadId}.spill`);
  const start = spillSizes.get(path) ?? 0;
  enc.reset();
  const out: Array<[number, SpillRange]> = [];
  lists.forEach((events, i) => {
    if (events.length === 0) return;
    const at = enc.length;
    enc.add(events);
    out.push([i, [path, start + at, enc.length - at]]);
  });
  if (enc.length > 0) appendFileSync(path, enc.bytes());
  spillSizes.set(path, start + enc.length);
  return out;
}

/** The event arrays of `ranges`, each spill file opened once. */
export function* readSpills(ranges: readonly SpillRange[]): Generator<unknown[]> {
  const byPath = new Map<string, SpillRange[]>();
  for (const r of ranges) byPath.set(r[0], [...(byPath.get(r[0]) ?? []), r]);
  for (const [path, list] of byPath) {
    const fd = openSync(path, 'r');
    try {
      for (const [, offset, length] of list) {
        const buf = Buffer.allocUnsafe(length);
        if (readSync(fd, buf, 0, length, offset) !== length) throw new Error(`spill ${path} is shorter than ${offset + length} bytes`);
        yield decodeSpill(buf);
      }
    } finally {
      closeSync(fd);
    }
  }
}
