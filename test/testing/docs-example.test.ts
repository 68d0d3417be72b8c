// The simulated-time example of docs/testing.md, run as it stands: its imports of the package
// point at this checkout's sources, and its own assertions are the test.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function example(name: string): string {
  const text = readFileSync(join(ROOT, 'docs', 'testing.md'), 'utf8');
  const m = new RegExp(`<!-- example: ${name} -->\\n\`\`\`ts\\n([\\s\\S]*?)\\n\`\`\``).exec(text);
  if (!m) throw new Error(`docs/testing.md has no ts block marked <!-- example: ${name} -->`);
  return m[1]!;
}

describe('docs/testing.md examples', () => {
  it('simulated time: the example runs and its assertions hold', async () => {
    const code = example('simulated-time')
      .replace(/'topo-streams\/testing'/g, JSON.stringify(join(ROOT, 'src', 'testing', 'index.ts')))
      .replace(/'topo-streams'/g, JSON.stringify(join(ROOT, 'src', 'index.ts')));
    expect(code).toContain('SimulatedTime');
    const dir = mkdtempSync(join(ROOT, 'test', 'testing', '.example-'));
    try {
      const file = join(dir, 'simulated-time.ts');
      writeFileSync(file, `${code}\nexport const done = true;\n`);
      const mod = (await import(pathToFileURL(file).href)) as { done: boolean };
      expect(mod.done).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
