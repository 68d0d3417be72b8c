/**
 * Reads a text file line by line with synchronous chunked reads, so a spout can pull one
 * line per nextTuple without loading the file or leaving the event loop. A trailing `\r`
 * is removed (CRLF files); the last line needs no newline.
 *
 * Only regular files: a directory opened fine and then failed every read (EISDIR, ~800
 * errors a second, forever), and a FIFO cannot be read again from the start when the
 * spout's thread restarts. A file deleted or renamed while open is read to its end through
 * the open descriptor (Linux keeps it); only reopening it after a restart fails.
 */
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

/** Errors about the input itself: the message (path and problem) is the whole story, no stack. */
export class InputFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputFileError';
    this.stack = message;
  }
}

const CHUNK = 64 * 1024;

export class LineReader {
  private fd: number | null;
  private readonly buf = Buffer.allocUnsafe(CHUNK);
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';
  private lines: string[] = [];
  private pos = 0;
  private eof = false;
  /** 1-based number of the last line returned. */
  lineNumber = 0;

  constructor(readonly path: string) {
    let fd: number;
    try {
      // Non-blocking so a FIFO without a writer is refused here instead of blocking the
      // thread in open(), where not even terminating it works; no effect on regular files.
      fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
    } catch (err) {
      throw new InputFileError(`input '${path}' cannot be opened: ${describeErrno(err)}`);
    }
    const kind = notAFile(fstatSync(fd));
    if (kind !== null) {
      closeSync(fd);
      throw new InputFileError(`input '${path}' is ${kind}, not a file`);
    }
    this.fd = fd;
  }

  /** The next line, or null at end of file. */
  next(): string | null {
    while (this.pos >= this.lines.length) {
      if (this.eof) return null;
      this.fill();
    }
    this.lineNumber++;
    return this.lines[this.pos++]!;
  }

  private fill(): void {
    this.lines = [];
    this.pos = 0;
    let n: number;
    try {
      n = readSync(this.fd!, this.buf, 0, CHUNK, null);
    } catch (err) {
      throw new InputFileError(`input '${this.path}' cannot be read: ${describeErrno(err)}`);
    }
    let text: string;
    if (n === 0) {
      this.eof = true;
      this.close();
      text = this.pending + this.decoder.end();
      this.pending = '';
      if (text.length > 0) this.lines.push(stripCR(text));
      return;
    }
    text = this.pending + this.decoder.write(this.buf.subarray(0, n));
    const parts = text.split('\n');
    this.pending = parts.pop()!;
    for (const p of parts) this.lines.push(stripCR(p));
  }

  close(): void {
    if (this.fd !== null) {
      closeSync(this.fd);
      this.fd = null;
    }
  }
}

function stripCR(s: string): string {
  return s.endsWith('\r') ? s.slice(0, -1) : s;
}

function notAFile(st: Stats): string | null {
  if (st.isFile()) return null;
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  return 'neither a file nor a directory';
}

/** `no such file or directory (ENOENT)` from Node's `ENOENT: no such file or directory, open '...'`. */
function describeErrno(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (typeof e?.code !== 'string') return String(err);
  const text = /^[A-Z0-9]+: ([^,]+)/.exec(e.message)?.[1] ?? e.message;
  return `${text} (${e.code})`;
}
