/**
 * The spill folder of a batch run, in the OS temp folder: `topo-batch-spill-XXXXXX`, holding
 * a lease file (the run's pid and host) that the run touches while it lives. A run removes
 * its folder when it ends, but a killed one (SIGKILL, the machine's OOM killer, a crash)
 * cannot, and a 1 M-event run spills ~200 MB: so each run first sweeps the folders whose
 * run is gone. A folder is stale when its lease names a process of this host that no longer
 * exists, or when its lease was not touched for STALE_MS (a run elsewhere, or a pid reused),
 * or when it has no lease and is older than STALE_MS (killed between creating it and writing
 * the lease). Folders of the earlier layout (`topo-batch-XXXXXX`, no lease) are swept once
 * nothing in them changed for a day. Nothing else in the temp folder is touched.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pidAlive } from '../master/names.js';

const PREFIX = 'topo-batch-spill-';
const LEGACY = /^topo-batch-[A-Za-z0-9]{6}$/;
const LEASE = 'lease';
/** A live run touches its lease every TOUCH_MS; one untouched for STALE_MS is a dead run's. */
const TOUCH_MS = 30_000;
export const STALE_MS = 10 * 60_000;
const LEGACY_STALE_MS = 24 * 3_600_000;

export interface SpillDir {
  readonly path: string;
  /** Stop touching the lease and remove the folder. */
  close(): void;
}

/** Sweep stale spill folders, then make this run's, with its lease. */
export function openSpillDir(parent = tmpdir()): SpillDir {
  sweepSpillDirs(parent);
  const path = mkdtempSync(join(parent, PREFIX));
  const lease = join(path, LEASE);
  writeFileSync(lease, JSON.stringify({ pid: process.pid, host: hostname() }));
  const timer = setInterval(() => {
    try {
      const now = new Date();
      utimesSync(lease, now, now);
    } catch {
      // the folder is gone (removed by close, or by hand): nothing left to keep
    }
  }, TOUCH_MS);
  timer.unref();
  return {
    path,
    close: () => {
      clearInterval(timer);
      rmSync(path, { recursive: true, force: true });
    },
  };
}

/** Remove the stale spill folders in `parent` (see the file comment); returns their names. */
export function sweepSpillDirs(parent = tmpdir(), now = Date.now()): string[] {
  const swept: string[] = [];
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return swept;
  }
  for (const name of names) {
    const path = join(parent, name);
    try {
      const stale = name.startsWith(PREFIX) ? leaseStale(path, now) : LEGACY.test(name) && newestMs(path) < now - LEGACY_STALE_MS;
      if (!stale) continue;
      rmSync(path, { recursive: true, force: true });
      swept.push(name);
    } catch {
      // another user's folder, or removed meanwhile by another run's sweep: not ours to judge
    }
  }
  return swept;
}

function leaseStale(dir: string, now: number): boolean {
  const lease = join(dir, LEASE);
  let text: string, touched: number;
  try {
    touched = statSync(lease).mtimeMs;
    text = readFileSync(lease, 'utf8');
  } catch {
    return statSync(dir).mtimeMs < now - STALE_MS;
  }
  if (touched < now - STALE_MS) return true;
  let owner: { pid?: unknown; host?: unknown };
  try {
    owner = JSON.parse(text) as typeof owner;
  } catch {
    return false; // being written: its age decides later
  }
  return owner.host === hostname() && typeof owner.pid === 'number' && !pidAlive(owner.pid);
}

/** Latest modification time of the folder and its entries. */
function newestMs(dir: string): number {
  let newest = statSync(dir).mtimeMs;
  for (const f of readdirSync(dir)) newest = Math.max(newest, statSync(join(dir, f)).mtimeMs);
  return newest;
}
