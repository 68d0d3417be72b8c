#!/usr/bin/env node
// The `topo` executable (package.json "bin"): compiled to dist/cli/bin.js by `npm ci` (prepare).
import { main } from './main.js';

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exitCode = 1;
  },
);
