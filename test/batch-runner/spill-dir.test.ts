/**
 * Spill folders of killed batch runs are swept by the next run (spill-dir.ts): a folder whose
 * lease names a dead process of this host, or whose lease is older than STALE_MS, or that
 * has no lease and is that old; a live run's folder, and anything else in the temp folder,
 * stays. The parent is a folder of the test's own, never the machine's temp folder.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSpillDir, STALE_MS, sweepSpillDirs } from '../../src/batch/runner/spill-dir.js';

let parent: string;
beforeEach(() => {
  parent = mkdtempSync(join(tmpdir(), 'topo-spill-sweep-'));
});
afterEach(() => {
  rmSync(parent, { recursive: true, force: true });
});

/** A pid that existed and has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '0']);
  return r.pid!;
}

function folder(name: string, lease: object | null, ageMs = 0): string {
  const dir = join(parent, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 't1.spill'), 'x');
  if (lease !== null) writeFileSync(join(dir, 'lease'), JSON.stringify(lease));
  const then = new Date(Date.now() - ageMs);
  for (const f of readdirSync(dir)) utimesSync(join(dir, f), then, then);
  utimesSync(dir, then, then);
  return dir;
}

describe('spill folders', () => {
  it('sweeps dead and stale runs, keeps live ones and everything else', () => {
    const host = hostname();
    folder('topo-batch-spill-dead01', { pid: deadPid(), host });
    folder('topo-batch-spill-live01', { pid: process.pid, host });
    folder('topo-batch-spill-quiet1', { pid: process.pid, host }, STALE_MS + 60_000);
    folder('topo-batch-spill-other1', { pid: deadPid(), host: `${host}-elsewhere` });
    folder('topo-batch-spill-nolea1', null, STALE_MS + 60_000);
    folder('topo-batch-spill-nolea2', null);
    folder('topo-batch-Ab12Cd', null, 2 * 86_400_000);
    folder('topo-batch-Ef34Gh', null, 3_600_000);
    folder('topo-batch-loop-Ij56Kl', null, 2 * 86_400_000);
    folder('unrelated', null, 2 * 86_400_000);
    expect(sweepSpillDirs(parent).sort()).toEqual(['topo-batch-Ab12Cd', 'topo-batch-spill-dead01', 'topo-batch-spill-nolea1', 'topo-batch-spill-quiet1']);
    expect(readdirSync(parent).sort()).toEqual(['topo-batch-Ef34Gh', 'topo-batch-loop-Ij56Kl', 'topo-batch-spill-live01', 'topo-batch-spill-nolea2', 'topo-batch-spill-other1', 'unrelated']);
  });

  it('a run sweeps before it makes its own folder, leased to it, and removes that at the end', () => {
    const dead = folder('topo-batch-spill-dead02', { pid: deadPid(), host: hostname() });
    const run = openSpillDir(parent);
    try {
      expect(existsSync(dead)).toBe(false);
      expect(run.path.startsWith(join(parent, 'topo-batch-spill-'))).toBe(true);
      // Another run starting now leaves this one alone.
      expect(sweepSpillDirs(parent)).toEqual([]);
      expect(existsSync(run.path)).toBe(true);
    } finally {
      run.close();
    }
    expect(existsSync(run.path)).toBe(false);
  });
});
