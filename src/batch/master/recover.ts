/**
 * Recovery of temp parts left by a writer that died (process killed, thread lost, power cut).
 *
 * Rule (names.ts, `isAbandoned`): a temp file is taken over when its writer's pid is dead on
 * this host, or when it was neither created nor written within the grace period. A live
 * writer's file is never taken: its pid is alive and it rolls within maxAgeMs < grace.
 *
 * Taking over is one atomic rename to a fresh temp name owned by this process, so two
 * writers starting together never recover the same file twice (the loser's rename fails with
 * ENOENT and it moves on), and a recoverer that dies mid-way leaves a temp file that the next
 * one recovers in turn. Then the file is cut to its last complete line (gzip: its last
 * complete member) and rolled like any part. Everything a writer fsynced is made of complete
 * lines, so nothing acknowledged is cut; what is cut is a torn write nobody acknowledged.
 * Records are never modified, and a file with no complete line is removed, not rolled.
 */
import { ftruncateSync, openSync, closeSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PARTITION_DIR, TEMP_FILE } from './layout.js';
import { isAbandoned, newUnique, ownedHere } from './names.js';
import { completePrefix, fsyncDir, readAllFd, rollFile } from './durable.js';

export interface RecoveredFile {
  /** The abandoned temp file. */
  readonly temp: string;
  /** The part it became, or null when it held no complete line (removed). */
  readonly part: string | null;
  /** Bytes kept and bytes cut off (a torn last line or member). */
  readonly keptBytes: number;
  readonly cutBytes: number;
}

export interface RecoveryReport {
  readonly recovered: RecoveredFile[];
  /** Temp files left alone: their writer may still be alive. */
  readonly live: number;
}

export interface RecoverOptions {
  readonly graceMs: number;
  readonly now?: number;
}

/** Partition directories of a dataset (none when the dataset does not exist yet). */
export function partitionDirs(root: string, dataset: string): string[] {
  let names: string[];
  try {
    names = readdirSync(join(root, dataset));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return names.filter((n) => PARTITION_DIR.test(n)).sort().map((n) => join(root, dataset, n));
}

/** The temp parts of a partition directory with their mtimes (a file rolled or recovered meanwhile is skipped). */
export function* tempFilesIn(dir: string): Generator<{ name: string; path: string; mtimeMs: number }> {
  for (const name of readdirSync(dir)) {
    if (!TEMP_FILE.test(name)) continue;
    const path = join(dir, name);
    let mtimeMs: number;
    try {
      mtimeMs = statSync(path).mtimeMs;
    } catch {
      continue;
    }
    yield { name, path, mtimeMs };
  }
}

/** Recovers every abandoned temp part of a dataset. */
export function recoverDataset(root: string, dataset: string, opts: RecoverOptions): RecoveryReport {
  const recovered: RecoveredFile[] = [];
  let live = 0;
  for (const dir of partitionDirs(root, dataset)) {
    for (const { name, mtimeMs } of tempFilesIn(dir)) {
      if (!isAbandoned(name, mtimeMs, opts.graceMs, opts.now)) {
        live++;
        continue;
      }
      const r = recoverFile(dir, name);
      if (r !== null) recovered.push(r);
    }
  }
  return { recovered, live };
}

/**
 * Adopts the temp files a writer with owner tag `tag` left in this process: a task's writer
 * calls it when it starts, and since a task lives on one thread at a time, any such file
 * belongs to a previous incarnation of the task whose thread is gone (a thread's 'exit' comes
 * before its replacement is started). That thread may have died with the file open (worker
 * threads share the process's descriptors and termination does not close them), but no code
 * of it runs any more, so nothing writes through that descriptor again: the rename and roll
 * below are as safe as for a dead process. The descriptor itself stays open until the
 * process exits (one per partition the thread had open; closing a number another thread may
 * have reused meanwhile would be worse).
 */
export function adoptOwned(root: string, dataset: string, tag: string): RecoveredFile[] {
  const adopted: RecoveredFile[] = [];
  for (const dir of partitionDirs(root, dataset)) {
    for (const name of readdirSync(dir)) {
      if (!TEMP_FILE.test(name) || !ownedHere(name, tag)) continue;
      const r = recoverFile(dir, name);
      if (r !== null) adopted.push(r);
    }
  }
  return adopted;
}

/** Claims one abandoned temp file, cuts it to complete lines and rolls it. Null if another took it. */
export function recoverFile(dir: string, name: string): RecoveredFile | null {
  const gzip = name.endsWith('.gz.tmp');
  const ext = gzip ? '.jsonl.gz' : '.jsonl';
  const unique = newUnique();
  const claimed = join(dir, `.part-${unique}${ext}.tmp`);
  try {
    renameSync(join(dir, name), claimed);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const fd = openSync(claimed, 'r+');
  let keep: number;
  let size: number;
  try {
    const buf = readAllFd(fd);
    size = buf.length;
    keep = completePrefix(buf, gzip);
    if (keep < size) ftruncateSync(fd, keep);
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  const temp = join(dir, name);
  if (keep === 0) {
    closeSync(fd);
    rmSync(claimed);
    fsyncDir(dir);
    return { temp, part: null, keptBytes: 0, cutBytes: size };
  }
  const part = join(dir, `part-${unique}${ext}`);
  rollFile(fd, claimed, part);
  return { temp, part, keptBytes: keep, cutBytes: size - keep };
}
