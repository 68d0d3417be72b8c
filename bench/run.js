#!/usr/bin/env node
// Launcher for the TypeScript bench harness, without a tsx dependency:
// bundle bench/run.ts (and everything it imports, including src/) with
// esbuild into one .mjs, then import it. Worker threads and the per-scenario
// child processes are started from that same bundle, so one build covers all.
// The bundle lives under node_modules/.cache so bare imports (msgpackr, ...)
// still resolve from the project's node_modules and git ignores it.
import { build } from 'esbuild';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outfile = path.join(root, 'node_modules', '.cache', 'topo-bench', 'run.mjs');

await build({
  entryPoints: [path.join(root, 'bench', 'run.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: 'inline',
  logLevel: 'warning',
});

const { main } = await import(pathToFileURL(outfile).href);
process.exitCode = await main(process.argv.slice(2), outfile, root);
