/**
 * The `limit` baseline: word count as a plain loop in one thread. No queues,
 * no serialization, no threads — the ceiling any topology running the same
 * split and count could approach on one core. Every other throughput row is
 * printed as a ratio to this one.
 *
 * The corpus and split live here too so every wordcount-shaped scenario
 * (node-streams, and the topology `wordcount`) counts exactly the same work.
 */
import type { ScenarioResult } from '../lib/report.js';

// Fixed corpus: mixed case, punctuation, digits and non-ASCII letters so the
// Unicode-aware split does real work rather than only splitting on spaces.
const CORPUS = [
  'The quick brown fox jumps over the lazy dog.',
  'Storm topologies move tuples between spouts and bolts, one at a time!',
  'An acker XORs 64-bit edge ids; zero means the tuple tree is complete.',
  'Über-fast streams? Maybe: 1000 tuples per batch, 2 cores, 3 workers.',
  'Café crème, naïve façade, coöperate — words with diacritics count too.',
  'I am at two with nature; four score and seven years ago our fathers...',
  'Replay on timeout gives at-least-once delivery, not exactly-once.',
  'Backpressure: when the ring is full, send returns false and waits.',
];

/** Cycles the corpus forever; a fixed order keeps runs comparable. */
export function* sentences(): Generator<string, never> {
  for (let i = 0; ; i++) yield CORPUS[i % CORPUS.length]!;
}

/** The topology's split, verbatim: lower-case, split on non letters/digits, drop empties. */
export function splitWords(line: string): string[] {
  return line
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0);
}

/** Words in one pass over the corpus, to size runs in words rather than sentences. */
export function wordsPerCorpusPass(): number {
  return CORPUS.reduce((n, s) => n + splitWords(s).length, 0);
}

export const CORPUS_SIZE = CORPUS.length;

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
