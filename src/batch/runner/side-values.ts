/**
 * The side inputs' values in a pool thread (side-input.ts): read once per run from the file
 * the main thread wrote (side-build.ts), then the same object for every `eventOf` call of the
 * thread. A thread serves one run (the pool closes with it), so one value is kept.
 */
import { readFileSync } from 'node:fs';
import { deserialize } from 'node:v8';

/** What `eventOf` gets when the batch input has no side input. */
const NONE: Readonly<Record<string, unknown>> = Object.freeze({});

let current: { readonly path: string; readonly values: Readonly<Record<string, unknown>> } | null = null;

export function sideValuesAt(path: string | null | undefined): Readonly<Record<string, unknown>> {
  if (path === null || path === undefined) return NONE;
  if (current === null || current.path !== path) current = { path, values: deserialize(readFileSync(path)) as Record<string, unknown> };
  return current.values;
}
