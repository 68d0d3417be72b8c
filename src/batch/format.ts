/**
 * An input format: how one line of an application's input becomes a fact of one of its
 * datasets, for `topo ingest` (into the master dataset) and `topo produce` (into a Redis
 * stream). The framework reads lines, numbers them and keeps the rejects file; the format
 * only turns a line into a record or says why it cannot.
 *
 *   export const ordersCsv = defineFormat<Order>({
 *     name: 'csv', dataset: 'orders',
 *     parse: (line, at) => {
 *       const [customer, amount, ts] = line.split(',');
 *       if (customer === undefined || amount === undefined || ts === undefined) return reject('expected customer,amount,ts');
 *       return accept({ id: at.id, customer, amount: Number(amount), ts: Date.parse(ts) });
 *     },
 *   });
 *   export const formats = [ordersCsv];
 */

/** What a parser returns for a line: a record, or why the line is not one. */
export type ParseOutcome<R> =
  | { readonly ok: true; readonly record: R }
  | { readonly ok: false; readonly reason: string };

/** Where a line came from, and the options of the command that reads it. */
export interface LineContext {
  /** A stable id for the record: `<file name>:<line number>` (`stdin:<n>` for stdin). */
  readonly id: string;
  /** The input's path as given, or `-` for stdin. */
  readonly source: string;
  /** 1-based line number in the input. */
  readonly lineNumber: number;
  /** Options for the parser: `-c key=value` pairs and flags such as `--host`. */
  readonly options: Readonly<Record<string, unknown>>;
}

/**
 * How `topo produce` identifies and de-duplicates the records it appends to a stream. Each
 * entry carries `line`, `src` (`<file>:<line>`) and `id`, the record's identity: a consumer
 * can use it as the event id, so that two copies of one fact count once.
 */
export interface StreamIdentity<R> {
  /** The identity an entry carries (default: the dataset's id). */
  readonly identityOf?: (record: R) => string;
  /**
   * A record whose key (non-null) was seen less than `windowMs` of event time before is a
   * duplicate and is not appended. Only a window: memory stays bounded on any input.
   */
  readonly duplicates?: { readonly keyOf: (record: R) => string | null; readonly windowMs: number };
}

/** An input format: see {@link defineFormat}. */
export interface InputFormat<R = unknown> {
  /** What `--format` names. */
  readonly name: string;
  /** The dataset its records belong to; may be left out when the topology declares one only. */
  readonly dataset?: string;
  /**
   * Parses one line (blank lines never reach it). Should return a rejection rather than
   * throw; a throw is caught and the line rejected with the error's message.
   */
  readonly parse: (line: string, at: LineContext) => ParseOutcome<R>;
  /** `topo produce`'s identity and duplicate removal (default: the dataset's id, no removal). */
  readonly stream?: StreamIdentity<R>;
}

/** A parsed record. */
export function accept<R>(record: R): ParseOutcome<R> {
  return { ok: true, record };
}

/** A line that is not a record, and why. */
export function reject(reason: string): ParseOutcome<never> {
  return { ok: false, reason };
}

/** Checks a format definition's shape once, where the application declares it. */
export function defineFormat<R>(format: InputFormat<R>): InputFormat<R> {
  return checkFormat(format, 'defineFormat') as unknown as InputFormat<R>;
}

function checkFormat(value: unknown, where: string): InputFormat<never> {
  if (typeof value !== 'object' || value === null) throw new Error(`${where}: a format is { name, parse }`);
  const f = value as Record<string, unknown>;
  const name = f['name'];
  if (typeof name !== 'string' || name === '') throw new Error(`${where}: format name must be a non-empty string, got ${JSON.stringify(name)}`);
  if (typeof f['parse'] !== 'function') throw new Error(`${where}: format '${name}': parse must be a function (line, at) => outcome`);
  if (f['dataset'] !== undefined && typeof f['dataset'] !== 'string') throw new Error(`${where}: format '${name}': dataset must be a dataset name`);
  return value as InputFormat<never>;
}

/** Validates a topology module's `formats` export; a name twice would make `--format` ambiguous. */
export function checkFormats(value: unknown, where: string): InputFormat<never>[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new Error(`${where}: the \`formats\` export must be an array of formats (defineFormat)`);
  const seen = new Set<string>();
  for (const f of value) {
    const def = checkFormat(f, where);
    if (seen.has(def.name)) throw new Error(`${where}: format '${def.name}' is declared twice`);
    seen.add(def.name);
  }
  return value as InputFormat<never>[];
}

/** Runs a parser on a line; a parser that throws, or returns no outcome, rejects the line. */
export function parseLine<R>(format: InputFormat<R>, line: string, at: LineContext): ParseOutcome<R> {
  try {
    const r = format.parse(line, at);
    if (typeof r !== 'object' || r === null || typeof r.ok !== 'boolean') return reject(`format '${format.name}' returned no outcome`);
    return r;
  } catch (err) {
    return reject(`format '${format.name}' threw: ${(err as Error).message ?? String(err)}`);
  }
}
