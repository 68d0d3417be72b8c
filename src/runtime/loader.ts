/**
 * Loads a topology file. The file (TypeScript or JavaScript) is bundled once with esbuild,
 * together with the worker entry, into one ESM file: worker threads load plain JS (a
 * thread starts in tens of milliseconds instead of paying for a TypeScript loader each),
 * and the main thread imports the same bundle to read the plan. Bare imports stay
 * external but are pinned to absolute paths, so the bundle can live in a temp folder.
 */
import type { Plugin } from 'esbuild';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isTopology, type Topology } from '../topology/topology.js';
import type { ViewDef } from '../views/view.js';
import { briefError, stackOf } from './user-frame.js';

export interface LoadedTopology {
  readonly topology: Topology;
  /** The module's `views` export (the Lambda views it writes), if any. */
  readonly views: readonly ViewDef<never>[] | null;
  /** The bundle worker threads run. */
  readonly bundlePath: string;
  readonly file: string;
}

/** The topology file could not be used: exit 2 when it is not there (bad usage), else 1; `detail` for --verbose. */
export class TopologyLoadError extends Error {
  constructor(message: string, readonly exitCode: 1 | 2 = 1, readonly detail?: string) {
    super(message);
  }
}

/** The worker entry in this installation: compiled JS under dist/, or TS when run from source. */
function workerEntry(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const js = join(here, 'worker', 'main.js');
  return existsSync(js) ? js : join(here, 'worker', 'main.ts');
}

const pinBareImports: Plugin = {
  name: 'topo-pin-bare-imports',
  setup(b) {
    b.onResolve({ filter: /^[^./]|^\.[^./]|^\.\.[^/]/ }, async (args) => {
      if (args.pluginData === 'pinned' || args.path.startsWith('node:') || args.kind === 'entry-point') return undefined;
      const r = await b.resolve(args.path, { resolveDir: args.resolveDir, kind: args.kind, pluginData: 'pinned' });
      if (r.errors.length > 0 || !r.path || r.external) return { path: args.path, external: true };
      return { path: pathToFileURL(r.path).href, external: true };
    });
  },
};

/** Where a file's last bundle is recorded, with the files it was built from (path, mtime, size). */
interface BundleRecord {
  readonly bundle: string;
  readonly inputs: ReadonlyArray<readonly [string, number, number]>;
}

const recordOf = (dir: string, abs: string): string => join(dir, `last-${createHash('sha256').update(`${abs}\0${workerEntry()}`).digest('hex').slice(0, 16)}.json`);

/** The bundle built last from this file, if none of its inputs changed since (mtime and size). */
function cachedBundle(record: string): string | null {
  try {
    const r = JSON.parse(readFileSync(record, 'utf8')) as BundleRecord;
    if (!existsSync(r.bundle)) return null;
    for (const [path, mtime, size] of r.inputs) {
      const st = statSync(path);
      if (st.mtimeMs !== mtime || st.size !== size) return null;
    }
    return r.bundle;
  } catch {
    return null;
  }
}

export interface LoadOptions {
  /**
   * Map stack traces to the user's lines (default true). Parsing the bundle's inline map is
   * a good part of a short command's start: `topo query` loads without, and maps only a
   * failed load (by loading it again).
   */
  readonly sourceMaps?: boolean;
}

export async function loadTopologyFile(file: string, options: LoadOptions = {}): Promise<LoadedTopology> {
  const abs = resolve(file);
  if (!existsSync(abs)) throw new TopologyLoadError(`topology file not found: ${file}`, 2);
  const dir = join(tmpdir(), `topo-bundles-${process.getuid?.() ?? 'u'}`);
  const record = recordOf(dir, abs);
  // Bundling costs esbuild's start and a build (most of a `topo query`): skipped while the inputs are unchanged.
  const bundlePath = cachedBundle(record) ?? (await bundle(file, abs, dir, record));
  return importBundle(file, abs, bundlePath, options.sourceMaps ?? true);
}

/** Bundle the file with the worker entry; record the bundle and its inputs for the next load. */
async function bundle(file: string, abs: string, dir: string, record: string): Promise<string> {
  const { build } = await import('esbuild');
  const entry = [
    `import topology from ${JSON.stringify(abs)};`,
    `import { workerMain } from ${JSON.stringify(workerEntry())};`,
    `export * from ${JSON.stringify(abs)};`,
    `export { topology };`,
    `workerMain(topology);`,
  ].join('\n');
  let code: string;
  let inputs: string[];
  const started = Date.now();
  try {
    const out = await build({
      stdin: { contents: entry, resolveDir: dirname(abs), sourcefile: 'topo-entry.js', loader: 'js' },
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      sourcemap: 'inline',
      write: false,
      // Source map paths are relative to the output file: name one in the folder it will live in.
      outfile: join(dir, 'bundle.mjs'),
      logLevel: 'silent',
      plugins: [pinBareImports],
      metafile: true,
    });
    code = out.outputFiles[0]!.text;
    // Paths relative to the working directory; the entry (stdin, named in resolveDir) is ours, not a file.
    const ours = join(dirname(abs), 'topo-entry.js');
    inputs = Object.keys(out.metafile.inputs).map((p) => resolve(p)).filter((p) => p !== ours);
  } catch (err) {
    const errors = (err as { errors?: Array<{ text: string; location?: { file: string; line: number; column: number } }> }).errors;
    // Our entry imports the file's default export: esbuild reports its absence against the entry.
    if (errors?.some((e) => e.location?.file.endsWith('topo-entry.js') === true && /for import "default"/.test(e.text))) {
      throw new TopologyLoadError(`${file} has no default export: it must end with \`export default builder.build('name')\``);
    }
    const detail = errors?.map((e) => (e.location ? `${e.location.file}:${e.location.line}:${e.location.column}: ${e.text}` : e.text)).join('\n');
    throw new TopologyLoadError(`cannot build ${file}:\n${detail ?? String(err)}`);
  }
  mkdirSync(dir, { recursive: true });
  const hash = createHash('sha256').update(code).digest('hex').slice(0, 16);
  const bundlePath = join(dir, `${hash}.mjs`);
  if (!existsSync(bundlePath)) {
    // Write then rename: a concurrent run never imports a half-written bundle.
    const tmp = `${bundlePath}.${process.pid}.tmp`;
    writeFileSync(tmp, code);
    renameSync(tmp, bundlePath);
  }
  try {
    const rec: BundleRecord = { bundle: bundlePath, inputs: inputs.map((p) => { const st = statSync(p); return [p, st.mtimeMs, st.size] as const; }) };
    // A file changed while it was bundled may not be what the bundle holds: not recorded.
    if (rec.inputs.some(([, mtime]) => mtime >= started)) return bundlePath;
    const tmp = `${record}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(rec));
    renameSync(tmp, record);
  } catch {
    // Only a cache: the next load bundles again.
  }
  return bundlePath;
}

async function importBundle(file: string, abs: string, bundlePath: string, sourceMaps: boolean): Promise<LoadedTopology> {
  let mod: { topology?: unknown; views?: unknown };
  // The bundle carries an inline source map: with this, stacks name the user's .ts lines.
  if (sourceMaps) process.setSourceMapsEnabled(true);
  try {
    mod = (await import(pathToFileURL(bundlePath).href)) as { topology?: unknown; views?: unknown };
  } catch (first) {
    let err = first;
    if (!sourceMaps) {
      // Loaded without maps (cheaper): load it again with them for a stack naming the user's lines.
      process.setSourceMapsEnabled(true);
      err = await import(`${pathToFileURL(bundlePath).href}?maps`).then(() => first, (again: unknown) => again);
    }
    // An invalid topology is the user's error, fully described by its message (by name, as
    // the bundle carries its own copy of the class); anything else is told with where in the
    // user's file it was thrown, the whole stack kept for --verbose.
    const invalid = err instanceof Error && err.name === 'TopologyValidationError';
    const stack = stackOf(err);
    throw new TopologyLoadError(`cannot load ${file}: ${invalid ? (err as Error).message : briefError(stack)}`, 1, stack);
  }
  if (!isTopology(mod.topology)) {
    throw new TopologyLoadError(
      `${file} must default-export a topology: \`export default builder.build('name')\` (got ${describe(mod.topology)})`,
    );
  }
  if (mod.views !== undefined && !Array.isArray(mod.views)) {
    throw new TopologyLoadError(`${file}: the \`views\` export must be an array of view definitions (defineView)`);
  }
  return { topology: mod.topology, views: (mod.views as ViewDef<never>[] | undefined) ?? null, bundlePath, file: abs };
}

function describe(v: unknown): string {
  if (v === undefined) return 'no default export';
  if (v === null) return 'null';
  return typeof v === 'object' ? `an object with keys ${Object.keys(v).join(', ') || '(none)'}` : typeof v;
}
