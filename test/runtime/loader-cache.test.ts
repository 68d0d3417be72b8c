/**
 * The loader reuses a file's last bundle while nothing it was built from changed (a
 * `topo query` then skips esbuild), and bundles again when the file or a file it imports
 * changes.
 */
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadTopologyFile } from '../../src/runtime/loader.js';

// Inside the repository, so the file's import of src/ resolves.
const dir = mkdtempSync(join(process.cwd(), 'test', 'fixtures', '.loader-cache-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const topology = (name: string): string => [
  `import { TopologyBuilder } from '../../../src/index.js';`,
  `import { NAME } from './name.js';`,
  `class S { declareOutputFields(d: { declare(f: string[]): void }) { d.declare(['x']); } nextTuple() {} }`,
  `const b = new TopologyBuilder();`,
  `b.setSpout('s', S);`,
  `export default b.build(NAME + '${name}');`,
].join('\n');

describe('bundle cache', () => {
  it('reuses the bundle while its inputs are unchanged, and rebuilds when one changes', async () => {
    const file = join(dir, 'topo.ts');
    writeFileSync(join(dir, 'name.js'), `export const NAME = 'a';\n`);
    writeFileSync(file, topology('1'));
    const first = await loadTopologyFile(file);
    expect(first.topology.name).toBe('a1');
    expect((await loadTopologyFile(file)).bundlePath).toBe(first.bundlePath);
    // An imported file changes (same size, later mtime): bundled again.
    writeFileSync(join(dir, 'name.js'), `export const NAME = 'b';\n`);
    utimesSync(join(dir, 'name.js'), new Date(), new Date(Date.now() + 5000));
    const second = await loadTopologyFile(file);
    expect(second.bundlePath).not.toBe(first.bundlePath);
    expect(second.topology.name).toBe('b1');
    writeFileSync(file, topology('22'));
    expect((await loadTopologyFile(file)).topology.name).toBe('b22');
  });
});
