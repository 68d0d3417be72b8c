/**
 * The same word count as `limit`, as Node object-mode streams in one thread:
 * Readable (sentences) -> Transform (split, one chunk per word) -> Writable
 * (count). It prices Node's own per-chunk stream machinery, the closest
 * single-thread analogue of a tuple-at-a-time spout -> bolt -> bolt chain.
 */
import { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ScenarioResult } from '../lib/report.js';
import { sentences, splitWords, wordCountConfig } from './limit.js';

async function runPipeline(n: number, counts: Map<string, number>): Promise<number> {
  const source = sentences();
  let emitted = 0;
  let words = 0;
  const readable = new Readable({
    objectMode: true,
    read() {
      // Push until the buffer says stop, as a well-behaved source would.
      while (emitted < n) {
        emitted++;
        if (!this.push(source.next().value)) return;
      }
      this.push(null);
    },
  });
  const split = new Transform({
    objectMode: true,
    transform(line: string, _enc, done) {
      for (const w of splitWords(line)) this.push(w);
      done();
    },
  });
  const count = new Writable({
    objectMode: true,
    write(w: string, _enc, done) {
      counts.set(w, (counts.get(w) ?? 0) + 1);
      words++;
      done();
    },
  });
  await pipeline(readable, split, count);
  return words;
}

export async function nodeStreams(quick: boolean): Promise<ScenarioResult> {
  const cfg = wordCountConfig(quick);
  // Streams are several times slower than the plain loop; a quarter of the
  // sentences keeps the run length similar.
  const measured = Math.floor(cfg.sentences / 4);
  const counts = new Map<string, number>();
  await runPipeline(cfg.warmupSentences, counts);
  counts.clear();

  const t0 = performance.now();
  const words = await runPipeline(measured, counts);
  const secs = (performance.now() - t0) / 1000;
  return {
    name: 'node-streams',
    config: { variant: 'readable-transform-writable', warmupSentences: cfg.warmupSentences, sentences: measured },
    tuplesPerSec: words / secs,
  };
}
