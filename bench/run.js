#!/usr/bin/env node
// Launcher for the TypeScript bench harness, without a tsx dependency:
// bundle bench/run.ts (and everything it imports, including src/) with
// esbuild into one .mjs, then import it. Worker threads and the per-scenario
// child processes are started from that same bundle, so one build covers all.
// The bundle lives under node_modules/.cache so bare imports (msgpackr, ...)
// still resolve from the project's node_modules and git ignores it.
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outfile = path.join(root, 'node_modules', '.cache', 'topo-bench', 'run.mjs');

// Bundled, `import.meta.url` would be the bundle's URL. src/ uses it to find files next to
// itself (the topology loader finds the worker entry, src/runtime/worker/main.ts, that way),
// so in src/ files it is replaced by the file's own source URL.
const srcDir = path.join(root, 'src') + path.sep;
const keepSourceUrls = {
  name: 'keep-source-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async (args) => {
      if (!args.path.startsWith(srcDir)) return undefined;
      const text = await readFile(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      return { contents: text.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)), loader: 'ts' };
    });
  },
};

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
  plugins: [keepSourceUrls],
});

const { main } = await import(pathToFileURL(outfile).href);
process.exitCode = await main(process.argv.slice(2), outfile, root);
