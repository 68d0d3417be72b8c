/**
 * Listing a partition the way layout.ts's reader rule says: rolled parts, minus the inputs of
 * a compaction whose output exists. Compaction uses it to choose its inputs and to finish or
 * void manifests left by an interrupted run; tests use it to read the dataset as a reader
 * would. (The batch runner has its own reader; this is not it.)
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { COMPACTION_MANIFEST, PART_FILE, type CompactionManifest } from './layout.js';

export interface ManifestEntry {
  /** The manifest's file name in the partition. */
  readonly name: string;
  readonly manifest: CompactionManifest;
  /** Whether its output part exists (else the manifest is void). */
  readonly applies: boolean;
}

export interface PartitionListing {
  readonly dir: string;
  /** Visible parts a reader must read, sorted by name. */
  readonly parts: string[];
  /** Parts that exist but are superseded by an applying manifest. */
  readonly superseded: string[];
  readonly manifests: ManifestEntry[];
}

export function readManifest(path: string): CompactionManifest {
  const m = JSON.parse(readFileSync(path, 'utf8')) as CompactionManifest;
  if (typeof m.output !== 'string' || !Array.isArray(m.inputs) || typeof m.lines !== 'number') {
    throw new Error(`${path}: not a compaction manifest`);
  }
  return m;
}

export function listPartition(dir: string): PartitionListing {
  const names = readdirSync(dir);
  const present = new Set(names.filter((n) => PART_FILE.test(n)));
  const manifests: ManifestEntry[] = names
    .filter((n) => COMPACTION_MANIFEST.test(n))
    .sort()
    .map((name) => {
      const manifest = readManifest(join(dir, name));
      return { name, manifest, applies: present.has(manifest.output) };
    });
  const skip = new Set<string>();
  for (const m of manifests) if (m.applies) for (const i of m.manifest.inputs) skip.add(i);
  const parts = [...present].filter((n) => !skip.has(n)).sort();
  const superseded = [...present].filter((n) => skip.has(n)).sort();
  return { dir, parts, superseded, manifests };
}

/** The lines of a rolled part (gzip parts may hold several members). */
export function readPartLines(path: string): string[] {
  const raw = readFileSync(path);
  const text = (path.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
  if (text === '') return [];
  if (!text.endsWith('\n')) throw new Error(`${path}: last line is incomplete (not a rolled part?)`);
  return text.slice(0, -1).split('\n');
}

/** Size in bytes of a part (0 when it vanished meanwhile). */
export function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
