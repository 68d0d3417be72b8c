/**
 * The piscina pool that runs map and reduce tasks. Worker threads load plain JS: installed,
 * that is worker.js next to this file (dist/); run from source (tests, `tsx`), worker.ts is
 * bundled once with esbuild into a temp file, as the topology loader does for topo workers.
 */
import { build, type Plugin } from 'esbuild';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Piscina } from 'piscina';
import type { CombineResult, CombineTask, MapResult, MapTask, ReduceResult, ReduceTask } from './worker.js';

const pinPackages: Plugin = {
  name: 'topo-batch-pin-packages',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.pluginData === 'pin' || args.path.startsWith('node:')) return undefined;
      const r = await b.resolve(args.path, { resolveDir: args.resolveDir, kind: args.kind, pluginData: 'pin' });
      return r.errors.length > 0 || !r.path || r.external ? { path: args.path, external: true } : { path: pathToFileURL(r.path).href, external: true };
    });
  },
};

async function workerFile(): Promise<string> {
  const here = dirname(fileURLToPath(import.meta.url));
  const js = join(here, 'worker.js');
  if (existsSync(js)) return js;
  const out = await build({
    entryPoints: [join(here, 'worker.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    // Only this project's files are bundled. Packages stay imports, pinned to the file they
    // resolve to here: the bundle lives in a temp folder with no node_modules above it.
    plugins: [pinPackages],
    logLevel: 'silent',
  });
  const code = out.outputFiles[0]!.text;
  const dir = join(tmpdir(), `topo-bundles-${process.getuid?.() ?? 'u'}`);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `batch-worker-${createHash('sha256').update(code).digest('hex').slice(0, 16)}.mjs`);
  if (!existsSync(path)) {
    // Write then rename: a concurrent run never loads a half-written file.
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, code);
    renameSync(tmp, path);
  }
  return path;
}

export interface BatchPool {
  readonly threads: number;
  map(t: Omit<MapTask, 'kind'>): Promise<MapResult>;
  reduce(t: Omit<ReduceTask, 'kind'>): Promise<ReduceResult>;
  combine(t: Omit<CombineTask, 'kind'>): Promise<CombineResult>;
  close(): Promise<void>;
}

/** A pool of `threads` workers (default: the machine's cores). */
export async function openBatchPool(threads = availableParallelism()): Promise<BatchPool> {
  const filename = pathToFileURL(await workerFile()).href;
  // Two tasks per thread: while a reducer waits for Redis to answer its writes, the thread
  // can read and aggregate the next partition.
  // A larger young generation: map and reduce allocate a record, an event and strings per
  // line, most dying young. With V8's default, GC took ~16% of a pool thread's time; with
  // 192 MiB ~10% (at +300 MiB peak RSS); 96 MiB is the compromise.
  const pool = new Piscina({
    filename, minThreads: threads, maxThreads: threads, idleTimeout: 60_000, concurrentTasksPerWorker: 2,
    resourceLimits: { maxYoungGenerationSizeMb: 96 },
  });
  return {
    threads,
    map: (t) => pool.run({ kind: 'map', ...t }) as Promise<MapResult>,
    reduce: (t) => pool.run({ kind: 'reduce', ...t }) as Promise<ReduceResult>,
    combine: (t) => pool.run({ kind: 'combine', ...t }) as Promise<CombineResult>,
    close: () => pool.destroy(),
  };
}
