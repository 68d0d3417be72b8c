/**
 * What a topology module declares for the batch layer, read from its exports and checked
 * across each other in one place: `datasets` (the facts it keeps), `formats` (the parsers of
 * `topo ingest` and `topo produce`) and `batchInput` (how `topo batch` reads a dataset). Each
 * problem names what the user wrote: a dataset declared twice, a format, a batch input or
 * one of its side inputs naming an undeclared dataset. `topo run`, `topo validate`, `topo ingest`, `topo produce`
 * and `topo batch` all check through here, so a mistake fails every command the same way.
 */
import { checkDatasets, datasetNamed, type DatasetDef } from './dataset.js';
import { checkFormats, type InputFormat } from './format.js';
import { checkBatchInput, type BatchInput } from './runner/input.js';
import { sideInputsOf } from './runner/side-input.js';

export interface BatchDeclarations {
  readonly datasets: readonly DatasetDef<never>[];
  readonly formats: readonly InputFormat<never>[];
  /** The `batchInput` export, when there is one (`topo batch` requires it). */
  readonly batchInput: BatchInput<never> | null;
}

/** Reads and checks the declarations of a module's exports; throws naming the first problem. */
export function batchDeclarations(exports: Readonly<Record<string, unknown>>, where: string): BatchDeclarations {
  const datasets = checkDatasets(exports['datasets'], where);
  const formats = checkFormats(exports['formats'], where);
  for (const f of formats) datasetOfFormat(datasets, f, where);
  const batchInput = exports['batchInput'] === undefined ? null : checkBatchInput<never>(exports['batchInput'], where);
  if (batchInput !== null) {
    datasetNamed(datasets, batchInput.dataset, `${where}: batchInput`);
    for (const [name, side] of sideInputsOf(batchInput)) datasetNamed(datasets, side.dataset, `${where}: batchInput.sideInputs.${name}`);
  }
  return { datasets, formats, batchInput };
}

/** The dataset a format's records go to: the one it names, else the module's only one. */
export function datasetOfFormat(datasets: readonly DatasetDef<never>[], format: InputFormat<never>, where: string): DatasetDef<never> {
  if (format.dataset !== undefined) return datasetNamed(datasets, format.dataset, `${where}: format '${format.name}'`);
  if (datasets.length === 1) return datasets[0]!;
  throw new Error(
    datasets.length === 0
      ? `${where}: format '${format.name}' has no dataset to fill: export \`datasets\` (defineDataset)`
      : `${where}: format '${format.name}' must name its dataset (one of ${datasets.map((d) => `'${d.name}'`).join(', ')})`,
  );
}

/** The format `--format NAME` names, or null (the caller lists the ones there are). */
export function formatNamed(decl: BatchDeclarations, name: string): InputFormat<never> | null {
  return decl.formats.find((f) => f.name === name) ?? null;
}
