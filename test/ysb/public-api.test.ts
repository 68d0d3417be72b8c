/**
 * The YSB application is built as a user outside the repository would build it: every
 * import of topologies/ysb.ts and topologies/ysb/ is a package (ioredis, node: builtins), a
 * file of the application itself, or one of the package's public entries (topo-streams,
 * /views, /speed, /batch, /testing), never a file inside src/.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../pageviews-e2e/harness.js';

const PUBLIC = ['src/index.js', 'src/views/index.js', 'src/speed/index.js', 'src/batch/index.js', 'src/testing/index.js'];
const APP = join(ROOT, 'topologies', 'ysb');
const files = [join(ROOT, 'topologies', 'ysb.ts'), ...readdirSync(APP).filter((f) => /\.(ts|mjs|mts)$/.test(f)).map((f) => join(APP, f))];
const SPECIFIERS = /\b(?:import|export)\s+(?:type\s+)?[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g;

describe('YSB imports only public entries', () => {
  it('every relative import is the application itself or a public entry', () => {
    const bad: string[] = [];
    let seen = 0;
    for (const file of files) {
      const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|^\s*\/\/.*$/gm, '');
      for (const m of text.matchAll(SPECIFIERS)) {
        const spec = m[1] ?? m[2]!;
        if (!spec.startsWith('.')) continue;
        seen++;
        const target = relative(ROOT, resolve(dirname(file), spec));
        const ok = target.startsWith(join('topologies', 'ysb')) || PUBLIC.includes(target);
        if (!ok) bad.push(`${relative(ROOT, file)}: '${spec}'`);
      }
    }
    expect(seen).toBeGreaterThan(10);
    expect(bad).toEqual([]);
  });
});
