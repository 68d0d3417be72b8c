import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runTopology } from '../../src/index.js';
import { fixture, freshDir } from './results.js';

describe('untracked tuples with acking on', () => {
  it('all reach the bolts before finish() in a bounded run over worker threads', async () => {
    const outDir = freshDir('untracked');
    try {
      const handle = await runTopology(fixture('untracked.ts'), { overrides: { workers: 2 }, config: { count: 5000, outDir } });
      const summary = await handle.completion;
      expect(summary.status).toBe('completed');
      const counted = readdirSync(outDir).reduce((n, f) => n + (JSON.parse(readFileSync(join(outDir, f), 'utf8')) as number), 0);
      expect(counted).toBe(5000);
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  }, 20000);
});
