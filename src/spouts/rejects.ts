/**
 * The rejects file: every input line that did not parse, with where it came from and why,
 * as JSON Lines `{line, lineNumber, reason, source}`. Rejected lines are never dropped
 * silently; this file is where a user finds them.
 *
 * Appends are synchronous and one `write` per record on a file opened with O_APPEND: each
 * record lands whole and in order even if the process dies right after, and two writers
 * appending to the same file never interleave within a line. Rejects are rare, so the cost
 * of a system call each is irrelevant next to losing one.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/** One rejected input line. */
export interface RejectRecord {
  /** The line as read (without its newline). */
  readonly line: string;
  /** 1-based line number in `source`. */
  readonly lineNumber: number;
  /** Why the parser rejected it. */
  readonly reason: string;
  /** Where the line came from: a file path, or `-` for stdin. */
  readonly source: string;
}

/**
 * Appends reject records to a file, creating the file and its directory on the first
 * record (a run without rejects leaves no empty file behind).
 */
export class RejectsWriter {
  private fd: number | null = null;
  private written = 0;

  constructor(readonly path: string) {}

  /** Records written by this writer. */
  get count(): number {
    return this.written;
  }

  /** Appends one record, whole, before returning. Throws on I/O errors (disk full, permissions). */
  write(record: RejectRecord): void {
    const { line, lineNumber, reason, source } = record;
    // Fixed key order keeps the file easy to read and to diff.
    const buf = Buffer.from(JSON.stringify({ line, lineNumber, reason, source }) + '\n', 'utf8');
    if (this.fd === null) {
      mkdirSync(dirname(this.path), { recursive: true });
      this.fd = openSync(this.path, 'a');
    }
    // A regular file takes the whole buffer in one write; the loop only guards the rare
    // short write (e.g. an interrupted call) so that a record is never left half written.
    let off = 0;
    while (off < buf.length) off += writeSync(this.fd, buf, off, buf.length - off);
    this.written++;
  }

  /** Closes the file; a later `write` reopens it in append mode. */
  close(): void {
    if (this.fd !== null) {
      closeSync(this.fd);
      this.fd = null;
    }
  }
}
