/**
 * The direction of the framework's imports (ARCHITECTURE.md, "Framework and applications"):
 * `src/topology` (the logical plan) imports only `src/api`; no framework folder imports an
 * application (topologies/, where the shipped examples live); and no two top-level folders
 * of src/ import each other, so each can be read, tested and changed from its own side.
 * Read from the sources: every `import ... from`, `export ... from`, `import '...'` and
 * `import('...')` with a relative specifier in a .ts file under src/.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SRC = join(ROOT, 'src');

/** One import: the importing file, the imported path (relative to the repository), the specifier. */
interface Edge {
  readonly file: string;
  readonly target: string;
  readonly specifier: string;
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return tsFiles(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

// Comments are dropped first, so that an import shown in a doc comment is not an edge.
const COMMENTS = /\/\*[\s\S]*?\*\/|(^|[^:'"`])\/\/.*$/gm;
const SPECIFIERS = /\b(?:import|export)\s+(?:type\s+)?[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]|\bimport\s*['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Every relative import of the .ts files under src/. */
function importEdges(): Edge[] {
  const edges: Edge[] = [];
  for (const file of tsFiles(SRC)) {
    const text = readFileSync(file, 'utf8').replace(COMMENTS, '$1');
    for (const m of text.matchAll(SPECIFIERS)) {
      const specifier = m[1] ?? m[2] ?? m[3]!;
      if (!specifier.startsWith('.')) continue; // packages and node: builtins
      edges.push({ file: relative(ROOT, file), target: relative(ROOT, resolve(dirname(file), specifier)), specifier });
    }
  }
  return edges;
}

/** `src/<folder>` of a path under src/ (files directly in src/, such as index.ts, are `src`), or null. */
function folderOf(path: string): string | null {
  const parts = path.split(sep);
  if (parts[0] !== 'src') return null;
  return parts.length > 2 ? `src/${parts[1]}` : 'src';
}

/**
 * Pairs of folders allowed to import each other, each with the reason; every entry is a debt
 * to pay. Empty: when a cycle appears, break it (move the shared piece to the folder both
 * already import) rather than list it here.
 */
const KNOWN_CYCLES: ReadonlyArray<{ readonly folders: readonly [string, string]; readonly why: string }> = [];

const edges = importEdges();
const show = (es: readonly Edge[]): string[] => es.map((e) => `${e.file}: '${e.specifier}'`);

describe('import rules of src/', () => {
  it('reads the import graph (a sanity check of the parser)', () => {
    expect(edges.length).toBeGreaterThan(200);
    expect(edges.some((e) => e.file === join('src', 'topology', 'builder.ts') && folderOf(e.target) === 'src/api')).toBe(true);
  });

  it('src/topology imports nothing but src/api', () => {
    const bad = edges.filter((e) => folderOf(e.file) === 'src/topology' && !['src/topology', 'src/api'].includes(folderOf(e.target) ?? ''));
    expect(show(bad)).toEqual([]);
  });

  it('no framework folder imports an application (topologies/)', () => {
    const bad = edges.filter((e) => e.target.split(sep)[0] === 'topologies');
    expect(show(bad)).toEqual([]);
  });

  it('no two top-level folders of src/ import each other', () => {
    const between = new Map<string, Edge[]>();
    for (const e of edges) {
      const from = folderOf(e.file);
      const to = folderOf(e.target);
      if (from === null || to === null || from === to) continue;
      const k = `${from} -> ${to}`;
      between.set(k, [...(between.get(k) ?? []), e]);
    }
    const known = new Set(KNOWN_CYCLES.map((c) => [...c.folders].sort().join(' <-> ')));
    const cycles: string[] = [];
    for (const [k, es] of between) {
      const [from, to] = k.split(' -> ') as [string, string];
      if (from > to || !between.has(`${to} -> ${from}`)) continue; // each pair once
      if (known.has([from, to].sort().join(' <-> '))) continue;
      const back = between.get(`${to} -> ${from}`)!;
      cycles.push(`${from} <-> ${to}: ${show(es.slice(0, 2)).join(', ')} / ${show(back.slice(0, 2)).join(', ')}`);
    }
    expect(cycles).toEqual([]);
  });
});
