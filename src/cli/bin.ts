#!/usr/bin/env node
// The `topo` executable (package.json "bin"): compiled to dist/cli/bin.js by `npm ci` (prepare).
import { main } from './main.js';

// `topo keys VIEW | head`: the reader went away, which ends the output, not in error. Without
// this each write after it threw an unhandled EPIPE (a stack trace, twice, and exit 1). A closed
// stderr is ignored: the command goes on and its exit code still says how it ended.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});
process.stderr.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
});

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    // main() maps every command's errors; this is a bug in topo itself, so the stack helps.
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exitCode = 1;
  },
);
