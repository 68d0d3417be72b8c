/**
 * The `limit` baseline: word count as a plain loop in one thread. No queues,
 * no serialization, no threads — the ceiling any topology running the same
 * split and count could approach on one core. Every other throughput row is
 * printed as a ratio to this one.
 */
import type { ScenarioResult } from '../lib/types.js';
import { CORPUS_SIZE, sentences, splitWords, wordsPerCorpusPass } from '../lib/corpus.js';

export interface WordCountConfig {
  /** Sentences counted before the clock starts, to let the JIT settle. */
  warmupSentences: number;
  sentences: number;
}

export function wordCountConfig(quick: boolean): WordCountConfig {
  return { warmupSentences: 50_000, sentences: quick ? 400_000 : 2_000_000 };
}

/** Counts `n` sentences into `counts`; returns the number of words seen. */
function countSentences(source: Iterator<string>, n: number, counts: Map<string, number>): number {
  let words = 0;
  for (let i = 0; i < n; i++) {
    for (const w of splitWords(source.next().value as string)) {
      counts.set(w, (counts.get(w) ?? 0) + 1);
      words++;
    }
  }
  return words;
}

export function limit(quick: boolean): ScenarioResult {
  const cfg = wordCountConfig(quick);
  const source = sentences();
  const counts = new Map<string, number>();
  countSentences(source, cfg.warmupSentences, counts);
  counts.clear();

  const t0 = performance.now();
  const words = countSentences(source, cfg.sentences, counts);
  const secs = (performance.now() - t0) / 1000;

  // Sanity check that the loop really did the work the clock measured.
  const expected = (cfg.sentences / CORPUS_SIZE) * wordsPerCorpusPass();
  if (Number.isInteger(expected) && words !== expected) throw new Error(`counted ${words} words, expected ${expected}`);
  return {
    name: 'limit',
    config: { variant: 'plain-loop', ...cfg, distinctWords: counts.size },
    tuplesPerSec: words / secs,
  };
}
