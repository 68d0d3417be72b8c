/**
 * The `bullmq-wordcount` baseline: limit's word count as BullMQ queues and workers, the
 * design a Node user would reach for, on a redis-server this benchmark starts (never the
 * system one). One job per sentence on the `split` queue; the split worker adds one job per
 * sentence (its words) to the `count` queue; the count worker counts in memory, as the
 * topology's count bolt does. Both workers run in this process at concurrency 50 and
 * redis-server runs beside it: the same two cores the topology rows get.
 *
 * Why one count job per sentence rather than one per word: a job per word would be the
 * literal analogue of a word tuple but several times slower; batching a sentence's words is
 * the best honest shape (it is still one job per sentence per stage).
 *
 * Rate = words through the counter / time from the first add to the last count. Latency:
 * from a sentence's add to the end of its count job.
 */
import { Queue, Worker, type Job } from 'bullmq';
import { startRedis } from '../../test/helpers/redis-server.js';
import { BULLMQ_CONFIG, connectionOf, Feeder, JOB_OPTS, latencyOf, progress, until } from '../lib/bullmq-common.js';
import type { ScenarioResult } from '../lib/report.js';
import { CORPUS_SIZE, sentences, splitWords, wordsPerCorpusPass } from './limit.js';

interface SentenceJob { s: string; t: number }
interface WordsJob { w: string[]; t: number }

export async function bullmqWordcount(quick: boolean): Promise<ScenarioResult> {
  // ~3.5 k sentences/s on an idle 2-core box (two jobs each, ~7 k jobs/s), 4-5x less when
  // it is shared: a few seconds quick, 10-60 s full.
  const measured = quick ? 5_000 : 40_000;
  const warmup = 1_000;
  const server = await startRedis();
  const connection = connectionOf(server.port);
  const splitQ = new Queue<SentenceJob>('split', { connection });
  const countQ = new Queue<WordsJob>('count', { connection });
  const counts = new Map<string, number>();
  let sentencesDone = 0, words = 0, failed = 0;
  let latencies: number[] = [];
  let firstError = '';
  const source = sentences();
  const feeder = new Feeder<SentenceJob>(splitQ as Queue, () => ({ s: source.next().value, t: Date.now() }), () => sentencesDone);

  const split = new Worker<SentenceJob>('split', async (job: Job<SentenceJob>) => {
    await countQ.add('w', { w: splitWords(job.data.s), t: job.data.t }, JOB_OPTS);
  }, { connection, concurrency: BULLMQ_CONFIG.concurrency });
  const count = new Worker<WordsJob>('count', async (job: Job<WordsJob>) => {
    for (const w of job.data.w) counts.set(w, (counts.get(w) ?? 0) + 1);
    words += job.data.w.length;
    latencies.push(Date.now() - job.data.t);
    sentencesDone++;
    feeder.notify();
  }, { connection, concurrency: BULLMQ_CONFIG.concurrency });
  for (const w of [split, count]) {
    w.on('failed', (_job, err) => {
      failed++;
      firstError ||= err.message;
    });
    w.on('error', (err) => {
      failed++;
      firstError ||= err.message;
    });
  }
  const stop = progress('bullmq-wordcount', 'sentences', () => sentencesDone, () => feeder.addedCount - sentencesDone, () => failed);
  const wait = (n: number): Promise<void> =>
    until(() => sentencesDone >= n || failed > 0, 600_000, () => `bullmq-wordcount: ${sentencesDone} of ${n} sentences counted after 10 min`);
  try {
    // Warm-up (JIT, Lua script loading, connections) off the clock.
    await feeder.feed(warmup);
    await wait(warmup);
    counts.clear();
    words = 0;
    latencies = [];

    const t0 = performance.now();
    await feeder.feed(measured);
    await wait(warmup + measured);
    const secs = (performance.now() - t0) / 1000;
    if (failed > 0) throw new Error(`bullmq-wordcount: ${failed} failed job(s), first: ${firstError}`);
    // The counter really saw every word: the corpus is cycled, so the total is known.
    const expected = (measured / CORPUS_SIZE) * wordsPerCorpusPass();
    if (Number.isInteger(expected) && words !== expected) throw new Error(`bullmq-wordcount: counted ${words} words, expected ${expected}`);
    return {
      name: 'bullmq-wordcount',
      config: {
        variant: `queues split->count, 1 job/sentence/stage, concurrency=${BULLMQ_CONFIG.concurrency}, addBulk=${BULLMQ_CONFIG.chunk}`,
        sentences: measured,
        warmupSentences: warmup,
        bullmq: BULLMQ_CONFIG,
        unit: 'words',
      },
      tuplesPerSec: words / secs,
      latency: latencyOf(latencies),
      extra: { words, sentencesPerSec: measured / secs, jobsPerSec: (2 * measured) / secs, distinctWords: counts.size, seconds: secs },
    };
  } finally {
    stop();
    await Promise.allSettled([split.close(), count.close()]);
    await Promise.allSettled([splitQ.close(), countQ.close()]);
    await server.dispose();
  }
}
