/**
 * Builds a run's side inputs (side-input.ts) on the runner's main thread, before the map
 * phase: each side input's dataset is read whole (every date, abandoned temp parts recovered
 * first as for the views' dataset, every line checked by the dataset's validation), its
 * `build` is called once with those records, and the values are written to one file that each
 * pool thread reads once (side-values.ts).
 *
 * Why a file and not a task argument: a map task per part file would carry a copy of every
 * value, one structured clone per task; `v8.serialize` is that same clone, paid once, and a
 * thread pays one `deserialize`. Why the main thread: it only waits for the pool meanwhile,
 * and the map phase cannot start before the values exist.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { serialize } from 'node:v8';
import { BadRecordError, listPartFiles, readRecordChunks, type PartFile } from '../reader.js';
import { datasetNamed, factProblem } from '../dataset.js';
import { load } from './module.js';
import { sideInputsOf, type SideInput } from './side-input.js';
import { settleTempParts } from './temp-parts.js';

/** What building one side input read. */
export interface SideInputReport {
  readonly name: string;
  readonly dataset: string;
  readonly files: number;
  /** Records given to `build` (bad lines excluded). */
  readonly records: number;
  readonly badLines: number;
  /** Temp parts of a live writer in the dataset: not read, their records are missing from the value until they roll. */
  readonly liveTempParts: number;
  /** Reading and building, ms. */
  readonly ms: number;
}

export interface BuiltSideInputs {
  /** The file the pool threads read, or null when the batch input has no side input. */
  readonly path: string | null;
  readonly reports: readonly SideInputReport[];
  /** Bad lines of the side datasets, counted with the run's own (so `--strict` fails on them too). */
  readonly badLines: number;
  /** The first of them, `file:line: reason`. */
  readonly bad: readonly string[];
}

/** A part removed (by a compaction that finished meanwhile) while the side input read it. */
class PartGone extends Error {}

const MAX_BAD = 20;
const ADVICE = 'return plain data (objects, arrays, Map, Set, typed arrays), not functions or objects with methods';
const ROUNDS = 5;

export async function buildSideInputs(o: { readonly root: string; readonly bundle: string; readonly dir: string }): Promise<BuiltSideInputs> {
  const { input, datasets } = await load(o.bundle);
  const sides = sideInputsOf(input);
  if (sides.length === 0) return { path: null, reports: [], badLines: 0, bad: [] };
  const values: Record<string, unknown> = {};
  const reports: SideInputReport[] = [];
  const bad: string[] = [];
  let badLines = 0;
  for (const [name, side] of sides) {
    const t0 = Date.now();
    const dataset = datasetNamed(datasets, side.dataset, `batchInput.sideInputs.${name}`);
    const temp = settleTempParts(o.root, side.dataset, {});
    const check = (v: unknown): string | null => factProblem(dataset, v);
    for (let round = 1; ; round++) {
      const files = await listPartFiles(o.root, side.dataset);
      // Counted per attempt: a retry reads everything again.
      const seen = { records: 0, badLines: 0, bad: [] as string[] };
      try {
        values[name] = await buildOne(name, side, records(files, check, seen));
      } catch (err) {
        if (err instanceof PartGone && round < ROUNDS) continue;
        if (err instanceof PartGone) throw new Error(`side input '${name}': dataset '${side.dataset}' keeps changing under the batch run (compaction?); try again`);
        throw err;
      }
      badLines += seen.badLines;
      bad.push(...seen.bad.slice(0, Math.max(0, MAX_BAD - bad.length)));
      reports.push({ name, dataset: side.dataset, files: files.length, records: seen.records, badLines: seen.badLines, liveTempParts: temp.live, ms: Date.now() - t0 });
      break;
    }
  }
  const path = join(o.dir, 'side-inputs.v8');
  writeFileSync(path, serialized(values));
  return { path, reports, badLines, bad };
}

async function buildOne(name: string, side: SideInput, recs: AsyncIterable<unknown>): Promise<unknown> {
  try {
    return await side.build(recs);
  } catch (err) {
    if (err instanceof PartGone) throw err;
    throw new Error(`batchInput.sideInputs.${name}.build threw: ${(err as Error).message ?? String(err)}`, { cause: err });
  }
}

/** Every record of `files`, in order; bad lines go to `seen` (named by file and line). */
async function* records(files: readonly PartFile[], check: (v: unknown) => string | null, seen: { records: number; badLines: number; bad: string[] }): AsyncGenerator<unknown> {
  const onBad = (err: BadRecordError): void => {
    seen.badLines++;
    if (seen.bad.length < MAX_BAD) seen.bad.push(err.message);
  };
  for (const f of files) {
    try {
      for await (const chunk of readRecordChunks<unknown>(f.path, onBad, check)) {
        for (const r of chunk) {
          seen.records++;
          yield r;
        }
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new PartGone(f.path);
      throw err;
    }
  }
}

/** The prototypes a structured clone keeps; an instance of another class arrives as a plain object, without its methods. */
const KEPT: readonly unknown[] = [Object.prototype, null, Array.prototype, Map.prototype, Set.prototype, Date.prototype, RegExp.prototype, ArrayBuffer.prototype];

/** The values as one buffer; a value that cannot cross threads, or would lose its class there, is named. */
function serialized(values: Readonly<Record<string, unknown>>): Buffer {
  for (const [name, v] of Object.entries(values)) {
    if (typeof v === 'function' || (typeof v === 'object' && v !== null && !ArrayBuffer.isView(v) && !KEPT.includes(Object.getPrototypeOf(v)))) {
      const what = typeof v === 'function' ? 'a function' : `an instance of ${(v as object).constructor?.name ?? 'a class'}`;
      throw new Error(`batchInput.sideInputs.${name}.build returned ${what}, which a pool thread would not get whole: ${ADVICE}`);
    }
  }
  try {
    return serialize(values);
  } catch (err) {
    // Only on failure: find which value it was.
    for (const [name, v] of Object.entries(values)) {
      try {
        serialize(v);
      } catch {
        throw new Error(`batchInput.sideInputs.${name}.build returned a value that cannot be copied to the pool threads (${(err as Error).message}): ${ADVICE}`);
      }
    }
    throw err;
  }
}
