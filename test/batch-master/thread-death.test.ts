// A master sink whose worker thread dies (process.exit in the thread, as a crash or a chaos
// kill leaves it: descriptors open, temp parts on disk) while its process lives on: the
// replacement thread adopts the dead thread's temp parts at once, so after the run no temp
// part is left and every acked record is in a rolled part (before: the dead thread's temp
// parts stayed hidden, their pid alive, until a 15-minute grace or another process).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runTopology } from '../../src/index.js';
import { fixture, readDataset, tempRoot } from './helpers.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((f) => f()));

describe('a master sink thread that dies', () => {
  it('leaves no temp part behind: its replacement adopts them, and every acked record is rolled', async () => {
    const t = tempRoot('thread-death');
    cleanups.push(t.remove);
    const root = join(t.dir, 'master');
    const COUNT = 1200;
    const handle = await runTopology(fixture('master-topology.ts'), {
      overrides: { workers: 2 },
      config: { count: COUNT, outDir: t.dir, master: root, crashAfter: 400, messageTimeoutMs: 2000 },
    });
    const summary = await handle.completion;
    expect(summary.status).toBe('completed');
    expect(summary.restarts).toBe(1); // the sink's thread did die (it runs on worker 1)
    const acked = JSON.parse(readFileSync(join(t.dir, 'acks.json'), 'utf8')) as string[];
    expect(acked.length).toBe(COUNT);
    const view = readDataset(root);
    expect(view.temps).toEqual([]);
    const stored = new Set(view.all.map((r) => r.id));
    expect(acked.filter((id) => !stored.has(id))).toEqual([]);
    expect(readdirSync(t.dir)).toContain('crashed');
  }, 30000);
});
