/**
 * The topology module a pool thread runs: its views, batch input and the dataset that input
 * reads, imported once per thread from the bundle the loader built (safe outside a topo
 * worker thread: the worker entry only starts when `workerData.topoWorker` is true).
 */
import { pathToFileURL } from 'node:url';
import type { ViewDef } from '../../views/view.js';
import { batchDeclarations } from '../app.js';
import { datasetNamed, type DatasetDef } from '../dataset.js';
import { checkBatchInput, type BatchInput } from './input.js';

export interface Module {
  views: ViewDef<unknown>[];
  input: BatchInput<unknown>;
  dataset: DatasetDef<unknown>;
  /** Every dataset the module declares (side inputs read others). */
  datasets: readonly DatasetDef<unknown>[];
}

const modules = new Map<string, Promise<Module>>();

export function load(bundle: string): Promise<Module> {
  let m = modules.get(bundle);
  if (m === undefined) {
    m = import(pathToFileURL(bundle).href).then((mod: Record<string, unknown>) => {
      const decl = batchDeclarations(mod, 'topology module');
      const input = decl.batchInput ?? checkBatchInput<never>(undefined, 'topology module');
      return {
        views: (mod['views'] as ViewDef<unknown>[] | undefined) ?? [],
        input: input as unknown as BatchInput<unknown>,
        dataset: datasetNamed<unknown>(decl.datasets, input.dataset, 'topology module'),
        datasets: decl.datasets as readonly DatasetDef<unknown>[],
      };
    });
    modules.set(bundle, m);
  }
  return m;
}

export function viewNamed(views: readonly ViewDef<unknown>[], name: string): ViewDef<unknown> {
  const v = views.find((x) => x.name === name);
  if (v === undefined) throw new Error(`view '${name}' is not in the topology module's views`);
  return v;
}
