/**
 * Deterministic sentence source and the exact word split the wordcount
 * topology uses, shared by every wordcount-shaped baseline so their words/s
 * figures count the same work.
 */

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
