/**
 * One temp part through its life: created (O_EXCL, in a partition made with the real errno),
 * written (whole buffers; gzip: one member per write), made durable up to a mark, rolled back
 * to that mark when a write or fsync failed, and rolled (fsync, rename, read-only, fsync dir)
 * or removed when it never held a line. The writer (part-writer.ts) decides when; this file
 * holds what each step does to the disk.
 */
import { chmodSync, closeSync, constants, fstatSync, fsync as fsyncCb, ftruncateSync, mkdirSync, open as openCb, openSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { fsyncDir } from './durable.js';

export interface OpenPart {
  readonly dir: string;
  readonly unique: string;
  readonly tempPath: string;
  readonly fd: number;
  readonly createdMs: number;
  /** Bytes written to the file. */
  bytes: number;
  /** Bytes known durable (the file's size at its last successful fsync): what a rollback keeps. */
  durable: number;
  chunks: string[];
  buffered: number;
  synced: boolean;
  /** An fsync of its descriptor is in flight (flushAsync): it must not be closed (rolled) meanwhile. */
  inflight: boolean;
  /** Its descriptor is closed (rolled, discarded or given up): never touch `fd` again. */
  closed: boolean;
}

/** A write to the master dataset failed: names the folder and the errno (ENOSPC, EROFS, EACCES, EIO). */
export class MasterWriteError extends Error {
  override readonly name = 'MasterWriteError';
  readonly code: string;
  constructor(readonly dir: string, override readonly cause: unknown) {
    const e = cause as NodeJS.ErrnoException;
    const code = typeof e?.code === 'string' ? e.code : 'EUNKNOWN';
    // Node's messages already start with the code ("ENOSPC: no space left on device, write").
    const text = String(e?.message ?? cause).replace(new RegExp(`^${code}: `), '');
    super(`cannot write the master dataset in ${dir}: ${code}: ${text}`);
    this.code = code;
  }
}

/** Wraps an I/O error once, naming `dir` (an error already wrapped keeps its folder). */
export function writeError(dir: string, err: unknown): MasterWriteError {
  return err instanceof MasterWriteError ? err : new MasterWriteError(dir, err);
}

/**
 * mkdir -p whose error is the real one. Node's recursive mkdir reports ENOENT when a parent
 * cannot be created (a read-only or unwritable folder: EROFS, EACCES), which names the wrong
 * problem; creating the missing levels one by one gives the errno of the level that failed.
 * True when something was created.
 */
export function makeDirs(dir: string): boolean {
  try {
    return mkdirSync(dir, { recursive: true }) !== undefined;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const missing: string[] = [];
  for (let d = dir; ; d = dirname(d)) {
    try {
      statSync(d);
      break;
    } catch {
      missing.unshift(d);
      if (dirname(d) === d) break;
    }
  }
  for (const d of missing) mkdirSync(d); // throws EROFS / EACCES / ENOSPC for the level that fails
  return missing.length > 0;
}

export function openPart(dir: string, unique: string, ext: string, now: number): OpenPart {
  const tempPath = join(dir, `.part-${unique}${ext}.tmp`);
  const fd = openSync(tempPath, 'wx', 0o644); // O_EXCL: a name clash fails, never clobbers
  return { dir, unique, tempPath, fd, createdMs: now, bytes: 0, durable: 0, chunks: [], buffered: 0, synced: true, inflight: false, closed: false };
}

export const finalPathOf = (part: OpenPart, ext: string): string => join(part.dir, `part-${part.unique}${ext}`);

/** True when nothing was ever written: the part is removed rather than rolled. */
export function isEmpty(part: OpenPart): boolean {
  return part.bytes === 0 && fstatSync(part.fd).size === 0;
}

/** Closes and removes a part that holds nothing (no empty temp file is left behind). */
export function discard(part: OpenPart): void {
  closeQuietly(part);
  rmSync(part.tempPath, { force: true });
}

/** rollFile's steps (durable.ts), marking the part closed once its descriptor is: a failed rename leaves a closed temp file. */
export function rollPart(part: OpenPart, ext: string, fsync: (fd: number) => void): string {
  fsync(part.fd);
  closeQuietly(part);
  const finalPath = finalPathOf(part, ext);
  renameSync(part.tempPath, finalPath);
  chmodSync(finalPath, 0o444);
  fsyncDir(dirname(finalPath));
  return finalPath;
}

/** rollFile with its fsyncs off the event loop. */
export async function rollPartAsync(part: OpenPart, ext: string, fsync: (fd: number) => Promise<void>): Promise<string> {
  await fsync(part.fd);
  closeQuietly(part);
  const finalPath = finalPathOf(part, ext);
  renameSync(part.tempPath, finalPath);
  chmodSync(finalPath, 0o444);
  await fsyncDirAsync(dirname(finalPath));
  return finalPath;
}

/**
 * After a failed write or fsync: cut the file back to what is durable and forget what was
 * buffered, so the disk holds only records whose flush succeeded (the caller appends the
 * others again) and a full disk gets its space back. False when the file cannot even be cut
 * (its descriptor is then closed and the file left for recovery, which keeps complete lines).
 */
export function rollBack(part: OpenPart): boolean {
  part.chunks = [];
  part.buffered = 0;
  part.synced = true;
  if (part.closed) return false;
  try {
    if (fstatSync(part.fd).size > part.durable) ftruncateSync(part.fd, part.durable);
    part.bytes = part.durable;
    return true;
  } catch {
    closeQuietly(part);
    return false;
  }
}

export function closeQuietly(part: OpenPart): void {
  if (part.closed) return;
  part.closed = true;
  try {
    closeSync(part.fd);
  } catch {
    // EIO on close: the descriptor is released anyway
  }
}

const fsyncP = promisify(fsyncCb);
const openP = promisify(openCb);

/** fsyncDir (durable.ts) off the event loop: the same rule, errors of unsyncable directories ignored. */
export async function fsyncDirAsync(dir: string): Promise<void> {
  let fd: number;
  try {
    fd = await openP(dir, constants.O_RDONLY, undefined);
  } catch {
    return;
  }
  try {
    await fsyncP(fd);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'EISDIR' && code !== 'EBADF') throw err;
  } finally {
    closeSync(fd);
  }
}
