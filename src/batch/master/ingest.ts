/**
 * Ingest: an input file (or stdin) appended to the master dataset through a PartWriter. Each
 * line is parsed by the application's input format (format.ts) into a fact of its dataset;
 * a line the format rejects (or whose record fails the dataset's validation, or on which the
 * parser throws) goes to the rejects file with its line number and reason and is not
 * written. Blank lines are skipped.
 *
 * Durability: the writer is flushed about once a second and closed (every part rolled) at the
 * end, so a killed ingest keeps what it flushed. Ingesting the same input twice stores it
 * twice: ids (`<file>:<line>`, given to the parser) let a reader recognise such repeats.
 */
import { createInterface } from 'node:readline';
import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import { LineReader } from '../../spouts/line-reader.js';
import { RejectsWriter, type RejectRecord } from '../../spouts/rejects.js';
import { factProblem, type DatasetDef } from '../dataset.js';
import { parseLine, type InputFormat } from '../format.js';
import { PartWriter, type PartWriterOptions } from './part-writer.js';

export interface IngestOptions<R> {
  /** A file path, or `-` for `stdin`. */
  readonly input: string;
  readonly format: InputFormat<R>;
  /** The dataset the format's records go to. */
  readonly dataset: DatasetDef<R>;
  /** Options the parser sees (LineContext.options): `-c` pairs and flags such as `--host`. */
  readonly parserOptions?: Readonly<Record<string, unknown>>;
  readonly rejectsPath: string;
  readonly writer: Omit<PartWriterOptions<R>, 'dataset'>;
  readonly stdin?: Readable;
  /** Called for every rejected line, after it was written to the rejects file. */
  readonly onReject?: (r: RejectRecord) => void;
  /** Called about every `progressMs` (default 1 s) while the input lasts. */
  readonly onProgress?: (s: IngestStats) => void;
  readonly progressMs?: number;
}

export interface IngestStats {
  lines: number;
  records: number;
  rejected: number;
  skipped: number;
  elapsedMs: number;
  /** Parts rolled by this ingest (set at the end). */
  parts: string[];
  /** Abandoned temp files recovered when the writer started. */
  recovered: number;
}

export async function ingest<R>(opts: IngestOptions<R>): Promise<IngestStats> {
  const start = Date.now();
  const source = opts.input === '-' ? 'stdin' : basename(opts.input);
  const where = opts.input === '-' ? '-' : opts.input;
  const options = opts.parserOptions ?? {};
  const { format, dataset } = opts;
  // Open the input before the writer, so a missing file leaves no trace in the dataset.
  const reader = opts.input === '-' ? null : new LineReader(opts.input);
  const writer = new PartWriter<R>({ ...opts.writer, dataset });
  const rejects = new RejectsWriter(opts.rejectsPath);
  const stats: IngestStats = { lines: 0, records: 0, rejected: 0, skipped: 0, elapsedMs: 0, parts: [], recovered: writer.recovery?.recovered.length ?? 0 };
  const progressMs = opts.progressMs ?? 1000;
  let lastFlush = start;
  let lastProgress = start;

  const handle = (line: string): void => {
    const lineNumber = ++stats.lines;
    if (line.trim() === '') {
      stats.skipped++;
    } else {
      const r = parseLine(format, line, { id: `${source}:${lineNumber}`, source: where, lineNumber, options });
      // The dataset's validation guards the folder: a parser's mistake is a reject, never a bad fact on disk.
      const reason = r.ok ? factProblem(dataset, r.record) : r.reason;
      if (reason === null) {
        writer.append((r as { record: R }).record);
        stats.records++;
      } else {
        const rec: RejectRecord = { line, lineNumber, reason: r.ok ? `not a fact of dataset '${dataset.name}': ${reason}` : reason, source: where };
        rejects.write(rec);
        stats.rejected++;
        opts.onReject?.(rec);
      }
    }
    // Clock reads every 1024 lines only: cheap, and often enough for 1 s granularity.
    if ((lineNumber & 1023) === 0) {
      const now = Date.now();
      if (now - lastFlush >= 1000) {
        writer.flush();
        lastFlush = now;
      }
      if (now - lastProgress >= progressMs) {
        stats.elapsedMs = now - start;
        opts.onProgress?.(stats);
        lastProgress = now;
      }
    }
  };

  try {
    if (reader !== null) {
      for (let line = reader.next(); line !== null; line = reader.next()) handle(line);
    } else {
      const rl = createInterface({ input: opts.stdin ?? process.stdin, crlfDelay: Infinity });
      for await (const line of rl) handle(line);
    }
    writer.close();
  } finally {
    reader?.close();
    rejects.close();
  }
  stats.parts = writer.rolled;
  stats.elapsedMs = Date.now() - start;
  return stats;
}
