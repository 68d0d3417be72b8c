/**
 * Side inputs of a batch input: values built from whole datasets once per `topo batch` run,
 * before the views read anything, and handed to every `eventOf` call in every pool thread.
 * The views are computed from one dataset (the batch input's); a side input lets that pass
 * consult another (Beam and Flink call it the same: a side input, or a broadcast state). The
 * pageviews application merges visitor identities this way: its side input is the connected
 * components of the `equiv` edges, and `eventOf` maps each pageview's visitor to its person.
 *
 *   defineBatchInput<Hit, PageRecord, { people: ReadonlyMap<string, string> }>({
 *     dataset: 'pageviews',
 *     sideInputs: { people: { dataset: 'equiv', build: async (edges) => { ...; return map; } } },
 *     eventOf: (r, side) => ({ visitor: side.people.get(r.ip) ?? r.ip, ... }),
 *     ...
 *   });
 *
 * Why this shape: a value, not a lookup function, crosses to the pool threads (functions do not
 * survive a structured clone), and it is built where the whole dataset is visible, once,
 * rather than once per map task or per thread.
 */

/**
 * One side input: see {@link SideInputs}. `V` is the value `build` makes; `R` the side
 * dataset's record type.
 */
export interface SideInput<V = unknown, R = any> {
  /**
   * The dataset read: a name in the module's `datasets` export. Every date of it is read, in
   * partition then file order, whatever `--since`/`--until` limit the views to.
   */
  readonly dataset: string;
  /**
   * The value, from every record of the dataset (each already passed the dataset's
   * validation; bad lines are reported like the views' own). Runs once per run, on the
   * runner's main thread, before the map phase; may be async. The value is copied to each
   * pool thread by structured clone (plain objects, arrays, Map, Set, typed arrays, Date: no
   * functions, no class methods), so it must be one that survives that copy. Each thread has
   * its own copy: a change one thread makes to it is seen by no other.
   */
  readonly build: (records: AsyncIterable<R>) => V | Promise<V>;
}

/** A batch input's side inputs by name: `side[name]` in `eventOf` is `build`'s value. */
export type SideInputs<S> = { readonly [K in keyof S]: SideInput<S[K]> };

/** Side input names: they are property names of `eventOf`'s second argument. */
const NAME = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Validates `batchInput.sideInputs` (from a user module); throws naming what is wrong. */
export function checkSideInputs(value: unknown, where: string): void {
  if (value === undefined) return;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${where}: batchInput.sideInputs must be an object of { dataset, build } by name`);
  }
  for (const [name, s] of Object.entries(value)) {
    const at = `${where}: batchInput.sideInputs.${name}`;
    if (!NAME.test(name)) throw new Error(`${at}: a side input's name must be an identifier (it is a property of eventOf's second argument)`);
    if (typeof s !== 'object' || s === null) throw new Error(`${at} must be { dataset, build }`);
    const d = (s as { dataset?: unknown }).dataset;
    if (typeof d !== 'string' || !/^[a-z][a-z0-9_-]*$/.test(d)) throw new Error(`${at}.dataset must be a dataset folder name, got ${JSON.stringify(d)}`);
    if (typeof (s as { build?: unknown }).build !== 'function') throw new Error(`${at}.build must be a function (records) => value`);
  }
}

/** The side inputs of a checked batch input, as [name, side input] pairs (none: empty). */
export function sideInputsOf(input: { readonly sideInputs?: Readonly<Record<string, SideInput>> }): Array<[string, SideInput]> {
  return input.sideInputs === undefined ? [] : Object.entries(input.sideInputs);
}
