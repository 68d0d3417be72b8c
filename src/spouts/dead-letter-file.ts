/**
 * The file where a LineFileSpout puts the lines it gave up on: one JSON object a line with
 * the input file, line number, attempts, reason, time and the line itself, so the poison can
 * be read, fixed and fed again. The file is created (with its folder) at the first dead
 * letter, never for a clean run, and appended to: runs add to what earlier runs left.
 * Writes are synchronous: dead letters are rare, and each is on disk before the line's
 * message is given up, so none is lost with a crash that follows.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export interface DeadLine {
  readonly source: string;
  readonly line: number;
  readonly attempts: number;
  readonly reason: string;
  readonly text: string;
}

export class DeadLetterFile {
  private fd: number | null = null;
  /** Lines written by this spout instance. */
  count = 0;

  constructor(readonly path: string) {}

  write(d: DeadLine): void {
    if (this.fd === null) {
      try {
        mkdirSync(dirname(resolve(this.path)), { recursive: true });
        this.fd = openSync(this.path, 'a');
      } catch (err) {
        throw new Error(`dead-letter file ${this.path}: ${(err as Error).message}`);
      }
    }
    const record = { at: new Date().toISOString(), source: d.source, line: d.line, attempts: d.attempts, reason: d.reason, text: d.text };
    writeSync(this.fd, `${JSON.stringify(record)}\n`);
    this.count++;
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}
