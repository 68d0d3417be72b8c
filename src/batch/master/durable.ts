/**
 * The few file operations that make a part appear whole: complete writes, fsync of a file and
 * of its directory, and the roll (fsync, rename to the visible name, read-only, fsync dir).
 * Synchronous on purpose: each is one system call that the caller must see finished before
 * it acknowledges anything, and ordering them through callbacks buys nothing here.
 */
import { chmodSync, closeSync, fsyncSync, openSync, readSync, renameSync, writeSync, fstatSync, constants } from 'node:fs';
import { dirname } from 'node:path';
import { gunzipSync, inflateRawSync } from 'node:zlib';

/** Writes the whole buffer (a short write is retried, never left half done). */
export function writeAll(fd: number, buf: Uint8Array, position: number | null = null): void {
  let off = 0;
  while (off < buf.length) {
    off += writeSync(fd, buf, off, buf.length - off, position === null ? null : position + off);
  }
}

/**
 * fsync of a directory makes a rename or unlink in it durable (POSIX leaves a rename in the
 * page cache until then). Some filesystems refuse to open a directory for sync: ignored there,
 * since they also give nothing stronger to call.
 */
export function fsyncDir(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, constants.O_RDONLY);
  } catch {
    return;
  }
  try {
    fsyncSync(fd);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'EISDIR' && code !== 'EBADF') throw err;
  } finally {
    closeSync(fd);
  }
}

/**
 * Makes a fully written temp file visible: fsync its data, rename, chmod 0444, fsync the
 * directory. The data is durable before the name appears, so a reader never sees a part
 * whose content could still be lost. The rename never overwrites a real part: final names
 * are made from uniques that are never reused (see names.ts).
 */
export function rollFile(fd: number, tempPath: string, finalPath: string, fsync: (fd: number) => void = fsyncSync): void {
  fsync(fd);
  closeSync(fd);
  renameSync(tempPath, finalPath);
  chmodSync(finalPath, 0o444);
  fsyncDir(dirname(finalPath));
}

/** Reads a whole file through an open descriptor. */
export function readAllFd(fd: number): Buffer {
  const size = fstatSync(fd).size;
  const buf = Buffer.allocUnsafe(size);
  let off = 0;
  while (off < size) {
    const n = readSync(fd, buf, off, size - off, off);
    if (n === 0) break;
    off += n;
  }
  return buf.subarray(0, off);
}

/**
 * Length of the longest prefix of a part's bytes that holds only complete lines.
 * Plain: up to and including the last newline. Gzip: parts are written as one gzip member
 * per flush, each holding whole lines, so the prefix ends after the last member that is
 * complete and valid (header, deflate stream, CRC and size trailer); a torn member and
 * anything after it are cut.
 */
export function completePrefix(buf: Buffer, gzip: boolean): number {
  if (!gzip) return buf.lastIndexOf(0x0a) + 1;
  let end = 0;
  while (end < buf.length) {
    const len = memberLength(buf, end);
    if (len === null) break;
    end += len;
  }
  return end;
}

// The members we write have the fixed 10-byte header of zlib's gzip (no name, no extra).
function memberLength(buf: Buffer, at: number): number | null {
  if (buf.length - at < 18 || buf[at] !== 0x1f || buf[at + 1] !== 0x8b || buf[at + 2] !== 8 || buf[at + 3] !== 0) return null;
  try {
    const { engine } = inflateInfo(buf.subarray(at + 10));
    const len = 10 + engine.bytesWritten + 8;
    if (at + len > buf.length) return null;
    const lines = gunzipSync(buf.subarray(at, at + len)); // checks CRC and size
    if (lines.length > 0 && lines[lines.length - 1] !== 0x0a) return null;
    return len;
  } catch {
    return null; // torn or corrupt member
  }
}

function inflateInfo(buf: Buffer): { engine: { bytesWritten: number } } {
  // `info: true` returns the engine too: bytesWritten is how much input the stream used.
  return inflateRawSync(buf, { info: true } as object) as unknown as { engine: { bytesWritten: number } };
}
