// The in-process store as a product feature: a run without Redis keeps views in each
// writer's memory and the reporter prints the merged top entries at the end.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { runTopology } from '../../src/index.js';
import { KEYS } from '../fixtures/speed/event-views.js';
import { fixture, freshDir, recentBase } from './results.js';

it('runs without Redis on per-thread memory stores and reports the merged top entries', async () => {
  const n = 3000;
  const outDir = freshDir('memory');
  try {
    const handle = await runTopology(fixture('events.ts'), {
      overrides: { workers: 2 },
      config: { count: n, base: recentBase(), outDir, viewStore: 'memory' },
    });
    const summary = await handle.completion;
    expect(summary.status).toBe('completed');
    expect(summary.bolts['writer']!.errors).toBe(0);
    const report = readFileSync(join(outDir, 'report.txt'), 'utf8').split('\n');
    // 3000 events over 20 keys: every key has 150 hits, summed over both writer tasks' stores.
    const hits = report.slice(report.indexOf('view hits (in-process store, top 3):') + 1, report.indexOf('view hits (in-process store, top 3):') + 4);
    expect(hits).toHaveLength(3);
    for (const line of hits) expect(line).toMatch(new RegExp(`^  k\\d+\\s+${n / KEYS}$`));
    expect(report.some((l) => l.startsWith('view uniq'))).toBe(true);
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
});
