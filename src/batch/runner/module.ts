/**
 * The topology module a pool thread runs: its views and batch input, imported once per thread
 * from the bundle the loader built (safe outside a topo worker thread: the worker entry only
 * starts when `workerData.topoWorker` is true).
 */
import { pathToFileURL } from 'node:url';
import type { ViewDef } from '../../views/view.js';
import { checkBatchInput, type BatchInput } from './input.js';

export interface Module {
  views: ViewDef<unknown>[];
  input: BatchInput<unknown>;
}

const modules = new Map<string, Promise<Module>>();

export function load(bundle: string): Promise<Module> {
  let m = modules.get(bundle);
  if (m === undefined) {
    m = import(pathToFileURL(bundle).href).then((mod: { views?: ViewDef<unknown>[]; batchInput?: unknown }) => ({
      views: mod.views ?? [],
      input: checkBatchInput<unknown>(mod.batchInput, 'topology module'),
    }));
    modules.set(bundle, m);
  }
  return m;
}

export function viewNamed(views: readonly ViewDef<unknown>[], name: string): ViewDef<unknown> {
  const v = views.find((x) => x.name === name);
  if (v === undefined) throw new Error(`view '${name}' is not in the topology module's views`);
  return v;
}
