/**
 * Reads a text file line by line with synchronous chunked reads, so a spout can pull one
 * line per nextTuple without loading the file or leaving the event loop. A trailing `\r`
 * is removed (CRLF files); the last line needs no newline.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

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
    this.fd = openSync(path, 'r');
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
    const n = readSync(this.fd!, this.buf, 0, CHUNK, null);
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
