/**
 * A dataset: one kind of fact an application keeps in the master dataset. The framework
 * stores any fact; what it needs to know is here: the folder name, the fact's event time
 * (its date partition, and the batch run's watermark), a stable id (so that a repeat of the
 * same input is recognisable), and a validation that says why a value is not such a fact.
 * A value that fails it never enters the dataset: ingest sends it to the rejects file, the
 * sink bolt reports and drops it, and the batch reader reports it by file and line.
 *
 *   export const orders = defineDataset<Order>({
 *     name: 'orders', eventTime: (o) => o.ts, id: (o) => o.id,
 *     validate: (v) => (typeof v.amount === 'number' ? null : "missing numeric 'amount'"),
 *   });
 *   export const datasets = [orders];
 */

/** Dataset folder names: lower case, so that they are the same on every file system. */
const NAME = /^[a-z][a-z0-9_-]*$/;

/** The largest |epoch ms| a Date holds (ECMAScript: 100 000 000 days). */
const MAX_DATE_MS = 8.64e15;

/** One kind of fact: see {@link defineDataset}. */
export interface DatasetDef<R = unknown> {
  /** Folder under the master root: `<root>/<name>/date=YYYY-MM-DD/part-*.jsonl`. */
  readonly name: string;
  /** The fact's event time, epoch ms UTC: its partition is that UTC date. */
  readonly eventTime: (record: R) => number;
  /** The fact's stable id, e.g. `<file>:<line>` of its source. */
  readonly id: (record: R) => string;
  /**
   * Why a value is not a fact of this dataset, or null when it is one. It gets any JSON
   * object (a line read back from disk, a record a bolt emitted); the framework has already
   * checked that it is an object. Must not throw (a throw counts as a rejection).
   */
  readonly validate: (value: Readonly<Record<string, unknown>>) => string | null;
  /**
   * The JSON line a record is stored as (without the newline). Default JSON.stringify: give
   * one that writes keys in a fixed order when records of one kind may come with keys in
   * different orders, so that equal facts are equal bytes.
   */
  readonly encode?: (record: R) => string;
}

/** Checks a dataset definition's shape once, where the application declares it. */
export function defineDataset<R>(def: DatasetDef<R>): DatasetDef<R> {
  return checkDataset(def, 'defineDataset') as DatasetDef<R>;
}

function checkDataset(value: unknown, where: string): DatasetDef<never> {
  if (typeof value !== 'object' || value === null) throw new Error(`${where}: a dataset is { name, eventTime, id, validate }`);
  const d = value as Record<string, unknown>;
  const name = d['name'];
  if (typeof name !== 'string' || !NAME.test(name)) throw new Error(`${where}: dataset name must be a folder name (a-z, 0-9, _ or -, starting with a letter), got ${JSON.stringify(name)}`);
  for (const fn of ['eventTime', 'id', 'validate'] as const) {
    if (typeof d[fn] !== 'function') throw new Error(`${where}: dataset '${name}': ${fn} must be a function`);
  }
  if (d['encode'] !== undefined && typeof d['encode'] !== 'function') throw new Error(`${where}: dataset '${name}': encode must be a function`);
  return value as DatasetDef<never>;
}

/**
 * Validates a topology module's `datasets` export: an array of dataset definitions, no
 * name twice (two definitions of one folder would disagree on what its files hold).
 */
export function checkDatasets(value: unknown, where: string): DatasetDef<never>[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new Error(`${where}: the \`datasets\` export must be an array of datasets (defineDataset)`);
  const seen = new Set<string>();
  for (const d of value) {
    const def = checkDataset(d, where);
    if (seen.has(def.name)) throw new Error(`${where}: dataset '${def.name}' is declared twice`);
    seen.add(def.name);
  }
  return value as DatasetDef<never>[];
}

/** The dataset named `name` among those declared, or an error naming it and the ones there are. */
export function datasetNamed<R = never>(datasets: readonly DatasetDef<never>[], name: string, where: string): DatasetDef<R> {
  const d = datasets.find((x) => x.name === name);
  if (d !== undefined) return d as unknown as DatasetDef<R>;
  const known = datasets.length === 0 ? 'it declares none (export `datasets`)' : `it declares ${datasets.map((x) => `'${x.name}'`).join(', ')}`;
  throw new Error(`${where}: dataset '${name}' is not declared: ${known}`);
}

/**
 * Why `value` is not a fact of `dataset`, or null: a JSON object, its own validation, then
 * a string id and an event time that names a date (beyond ±8.64e15 ms toISOString throws:
 * its partition, bucket and the run's watermark could not be named). Never throws.
 */
export function factProblem<R>(dataset: DatasetDef<R>, value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
  try {
    const problem = dataset.validate(value as Record<string, unknown>);
    if (problem !== null) return problem;
    const id = dataset.id(value as R);
    if (typeof id !== 'string' || id === '') return `no id (${dataset.name}'s id gave ${JSON.stringify(id)})`;
    const ts = dataset.eventTime(value as R);
    if (typeof ts !== 'number' || !Number.isFinite(ts)) return `no event time (${dataset.name}'s eventTime gave ${String(ts)})`;
    if (Math.abs(ts) > MAX_DATE_MS) return 'event time is outside the dates JavaScript can represent';
  } catch (err) {
    return `${dataset.name}'s validation threw: ${(err as Error).message ?? String(err)}`;
  }
  return null;
}
