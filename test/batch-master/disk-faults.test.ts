// A master folder that cannot be written, for real: a read-only tmpfs (EROFS) and a 2 MB
// tmpfs that fills up (ENOSPC), through the runtime with the sink on its own thread. The sink
// holds its tuples instead of failing them (no replay), names the folder and the errno (not
// Node's misleading ENOENT from a recursive mkdir), fails the run after master.failAfterMs,
// and once space comes back writes every record once. Skipped when mount is not permitted.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runTopology } from '../../src/index.js';
import { duplicates, fixture, readDataset, tempRoot } from './helpers.js';
import { tempFiles, until } from './sink-harness.js';

const mounted: string[] = [];
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const m of mounted.splice(0)) execFileSync('umount', [m]);
  cleanups.splice(0).forEach((f) => f());
});

/** A tmpfs at a fresh folder, or null when this machine does not let us mount. */
function tmpfs(tag: string, options: string): { dir: string } | null {
  const t = tempRoot(tag);
  cleanups.push(t.remove);
  const dir = join(t.dir, 'mnt');
  mkdirSync(dir);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    return null;
  }
  mounted.unshift(dir);
  return { dir };
}

const canMount = tmpfs('probe', 'size=64k') !== null;

describe.skipIf(!canMount)('a master folder that cannot be written (real tmpfs)', () => {
  it('read-only: no replay, the run fails after master.failAfterMs naming the folder and EROFS', async () => {
    const m = tmpfs('erofs', 'size=1m,ro')!;
    const out = tempRoot('erofs-out');
    cleanups.push(out.remove);
    const handle = await runTopology(fixture('master-topology.ts'), {
      overrides: { workers: 2 },
      // failAfterMs well past the 1 s counter snapshots: a run failed before the spout's
      // first snapshot has no spout figures in its summary (seen once in a full run); retries
      // (which reset the held trees' timeouts) stay under messageTimeoutMs.
      config: { count: 300, outDir: out.dir, master: join(m.dir, 'master'), 'master.failAfterMs': 3000, 'master.retryMaxMs': 200, messageTimeoutMs: 500 },
    });
    const s = await handle.completion;
    expect(s.status).toBe('failed');
    expect(s.error).toMatch(/component 'master' \(task \d+\) failed the run: (Error: )?the master dataset could not be written for .*cannot write the master dataset in \S*mnt\/master\S*: EROFS/);
    expect(s.error).not.toMatch(/ENOENT/);
    // Held, not failed: the trees outlived messageTimeoutMs (timeouts reset) and nothing replayed.
    expect(s.spouts['records']!.failed).toBe(0);
    expect(s.spouts['records']!.replayed).toBe(0);
    expect(s.bolts['master']!.failed).toBe(0);
  }, 30000);

  it('full (ENOSPC): holds with backpressure, leaves no temp file per retry, and stores every record once when space returns', async () => {
    const m = tmpfs('enospc', 'size=2m')!;
    const out = tempRoot('enospc-out');
    cleanups.push(out.remove);
    const root = join(m.dir, 'master');
    const COUNT = 20_000; // ~5 MB of lines
    const errors: string[] = [];
    const handle = await runTopology(fixture('master-topology.ts'), {
      overrides: { workers: 2 },
      config: { count: COUNT, outDir: out.dir, master: root, 'master.failAfterMs': 0, 'master.retryMaxMs': 200, 'master.maxBytes': 256 * 1024, messageTimeoutMs: 1000 },
      onError: (e) => errors.push(e.message),
    });
    await until(() => errors.some((e) => /ENOSPC/.test(e)), 20000, 'ENOSPC');
    expect(errors.find((e) => /ENOSPC/.test(e))).toMatch(/cannot write the master dataset in \S*mnt\/master\/pageviews\/date=\S+: ENOSPC: .*holding \d+ input\(s\)/);
    // A few retries go by (counted, not timed); each leaves at most the one temp part per partition it had.
    const enospc = (): number => errors.filter((e) => /ENOSPC/.test(e)).length;
    const seen = enospc();
    await until(() => enospc() >= seen + 4, 20000, 'four more retries');
    expect(tempFiles(root).length).toBeLessThanOrEqual(2);
    const during = await handle.metrics();
    expect(during.spouts['records']!.failed).toBe(0);
    expect(during.spouts['records']!.acked).toBeLessThan(COUNT);
    execFileSync('mount', ['-o', 'remount,size=32m', m.dir]);
    const s = await handle.completion;
    expect(s.status).toBe('completed');
    expect(s.spouts['records']!.failed).toBe(0);
    expect(s.spouts['records']!.replayed).toBe(0);
    const acked = JSON.parse(readFileSync(join(out.dir, 'acks.json'), 'utf8')) as string[];
    expect(acked.length).toBe(COUNT);
    const view = readDataset(root);
    expect(view.temps).toEqual([]);
    expect(view.all.length).toBe(COUNT);
    expect(duplicates(view.all)).toEqual([]);
  }, 60000);
});
