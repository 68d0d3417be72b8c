/**
 * One `topo up` per data folder (the folder holding `.topo/` and, by default, `data/master`):
 * two would run two speed layers into the same views and two batch loops taking turns at one
 * lease. The lock is `.topo/up.json`, created exclusively with the holder's pid, and later
 * rewritten with where its servers listen, so a second `topo up` can say who holds it and
 * where to look. A lock whose pid is gone is stale (a `topo up` killed with SIGKILL) and taken over.
 */
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { RunError } from '../runtime/supervisor.js';
import { isAlive } from '../speed/private-redis.js';

export interface UpHolder {
  readonly pid: number;
  readonly since: string;
  readonly dashboard?: string;
}

export interface UpLock {
  readonly file: string;
  /** Record where the holder's servers are (for the message a second `topo up` prints). */
  update(extra: Omit<UpHolder, 'pid' | 'since'>): void;
  release(): void;
}

export const upLockFile = (cwd: string): string => resolve(cwd, '.topo', 'up.json');

function readHolder(file: string): UpHolder | null {
  try {
    const j = JSON.parse(readFileSync(file, 'utf8')) as Partial<UpHolder>;
    return typeof j.pid === 'number' ? { pid: j.pid, since: String(j.since ?? '?'), ...(typeof j.dashboard === 'string' ? { dashboard: j.dashboard } : {}) } : null;
  } catch {
    return null;
  }
}

/** Take the folder's lock, or throw (exit 1) naming the process that holds it. */
export async function takeUpLock(cwd: string): Promise<UpLock> {
  const file = upLockFile(cwd);
  mkdirSync(join(file, '..'), { recursive: true });
  const me: UpHolder = { pid: process.pid, since: new Date().toISOString() };
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, `${JSON.stringify(me)}\n`);
      closeSync(fd);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = readHolder(file);
    // A holder between its create and its write has no JSON yet: it is alive, starting.
    if (holder !== null && isAlive(holder.pid) && holder.pid !== process.pid) {
      throw new RunError(`topo up already runs on this folder (${resolve(cwd)}): pid ${holder.pid}, since ${holder.since}` +
        `${holder.dashboard ? `, dashboard ${holder.dashboard}` : ''}; stop it first (Ctrl-C in its terminal, or kill ${holder.pid})`, 1);
    }
    if (holder === null && attempt < 40) {
      await new Promise((r) => setTimeout(r, 25));
      continue;
    }
    rmSync(file, { force: true }); // its holder is gone
  }
  let current: UpHolder = me;
  return {
    file,
    update(extra) {
      current = { ...me, ...extra };
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, `${JSON.stringify(current)}\n`);
      renameSync(tmp, file);
    },
    release() {
      if (readHolder(file)?.pid === process.pid) rmSync(file, { force: true });
    },
  };
}
