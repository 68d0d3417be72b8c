/**
 * `--topology FILE --format NAME` for `topo ingest` and `topo produce`: the input format and
 * dataset come from the topology module's `formats` and `datasets` exports (src/batch/app.ts
 * checks them). The default topology is topologies/pageviews.ts, so that the pageviews
 * commands of before keep working: from the working directory, else this installation's copy.
 * A format the module does not export is bad usage (exit 2) listing the ones it does.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { batchDeclarations, datasetOfFormat, formatNamed, type BatchDeclarations } from '../batch/app.js';
import type { DatasetDef } from '../batch/dataset.js';
import type { InputFormat } from '../batch/format.js';
import { loadTopologyFile, TopologyLoadError, type LoadedTopology } from '../runtime/loader.js';
import { UsageError } from './options.js';

export const DEFAULT_TOPOLOGY = 'topologies/pageviews.ts';

export interface ChosenInput {
  readonly file: string;
  readonly format: InputFormat<unknown>;
  readonly dataset: DatasetDef<unknown>;
}

function topologyFile(flag: string | undefined): string {
  if (flag !== undefined) return flag;
  if (existsSync(DEFAULT_TOPOLOGY)) return DEFAULT_TOPOLOGY;
  // dist/cli (or src/cli) -> the package root, which ships topologies/.
  const installed = join(dirname(fileURLToPath(import.meta.url)), '..', '..', DEFAULT_TOPOLOGY);
  return existsSync(installed) ? installed : DEFAULT_TOPOLOGY;
}

/**
 * A loaded module's datasets, formats and batch input, checked across each other: a problem
 * (a dataset declared twice, a format or batch input naming an undeclared one) is the
 * topology's, reported as its load error, as an invalid plan is.
 */
export async function declarationsOf(loaded: LoadedTopology, file: string): Promise<BatchDeclarations> {
  const mod = (await import(pathToFileURL(loaded.bundlePath).href)) as Record<string, unknown>;
  try {
    return batchDeclarations(mod, file);
  } catch (err) {
    throw new TopologyLoadError(`cannot load ${file}: ${(err as Error).message}`);
  }
}

/** Loads the topology module and picks the format `--format` names (the only one when not given). */
export async function chooseInput(flags: { topology?: string; format?: string }): Promise<ChosenInput> {
  const file = topologyFile(flags.topology);
  const decl = await declarationsOf(await loadTopologyFile(file), file);
  const names = decl.formats.map((f) => f.name);
  const list = names.length === 0 ? '' : names.length === 1 ? names[0]! : `${names.slice(0, -1).join(', ')} or ${names.at(-1)!}`;
  if (names.length === 0) throw new UsageError(`${file} exports no input formats: export \`formats\` (defineFormat) to ingest or produce with it`);
  let format: InputFormat<never> | null;
  if (flags.format === undefined) {
    if (names.length > 1) throw new UsageError(`say which input format: --format ${names.join('|')} (the formats ${file} exports)`);
    format = decl.formats[0]!;
  } else {
    format = formatNamed(decl, flags.format);
    if (format === null) throw new UsageError(`--format must be ${list} (the formats ${file} exports), got '${flags.format}'`);
  }
  return {
    file,
    format: format as unknown as InputFormat<unknown>,
    dataset: datasetOfFormat(decl.datasets, format, file) as DatasetDef<unknown>,
  };
}
