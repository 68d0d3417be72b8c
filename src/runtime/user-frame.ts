/**
 * Errors from a user's code, told briefly: the first line of the error and the first stack
 * frame in the user's files (source-mapped to their `.ts` line), not topo's internals, node's
 * or the temporary bundle's. `topo --verbose` shows the whole stack instead.
 */
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** This installation's own code: frames in it are topo's, not the user's. */
const PACKAGE = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const FRAMEWORK = [join(PACKAGE, 'src') + sep, join(PACKAGE, 'dist') + sep];

/** `at fn (file:line:col)` or `at file:line:col`, with or without a file:// URL. */
const FRAME = /^\s*at (?:.*? \()?((?:file:\/\/)?\/[^():]+|[A-Za-z]:\\[^():]+):(\d+):(\d+)\)?\s*$/;

function isUsers(path: string): boolean {
  if (path.includes(`${sep}node_modules${sep}`) || path.includes(`${sep}topo-bundles-`) || path.endsWith('topo-entry.js')) return false;
  return !FRAMEWORK.some((f) => path.startsWith(f));
}

/** The first frame of `stack` in the user's code, as `file:line:col`, or null. */
export function userFrame(stack: string): string | null {
  for (const line of stack.split('\n').slice(1)) {
    const m = FRAME.exec(line);
    if (!m) continue;
    const path = m[1]!.startsWith('file://') ? fileURLToPath(m[1]!) : m[1]!;
    if (isUsers(path)) return `${path}:${m[2]}:${m[3]}`;
  }
  return null;
}

/** An error's text (a stack, or a message) as one line: its message and where in the user's code. */
export function briefError(text: string): string {
  const first = text.split('\n')[0]!;
  const at = userFrame(text);
  return at === null ? first : `${first} (at ${at})`;
}

/** An Error's stack, or its text for anything else thrown. */
export function stackOf(err: unknown): string {
  return err instanceof Error ? (err.stack ?? `${err.name}: ${err.message}`) : String(err);
}
