#!/usr/bin/env node
// Bundles bench/micro/state.ts with esbuild and runs it (as bench/run.js does for the harness): ms per checkpoint.
import { build } from 'esbuild';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const outfile = path.join(root, 'node_modules', '.cache', 'topo-bench', 'run-state.mjs');
await build({
  entryPoints: [path.join(root, 'bench/micro/state.ts')], outfile, bundle: true, platform: 'node', format: 'esm',
  packages: 'external', logLevel: 'warning',
});
await import(pathToFileURL(outfile).href);
