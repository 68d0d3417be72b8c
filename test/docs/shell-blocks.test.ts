// The examples of README.md and docs/*.md do what they say: every ```sh block marked
// `<!-- run -->` runs (bash, stop at the first failing command) in a scratch copy of the
// repository, the blocks of one file in order in the same copy (a later block sees what an
// earlier one wrote), with no REDIS_URL: the embedded default, a private redis-server in the
// copy's .topo/redis, exactly what a reader gets. Each must exit 0, and when an
// `<!-- output -->` block follows it, print those lines in that order. See markdown.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docFiles, missingLines, readDoc, runBlocksOf, type RunBlock } from './markdown.js';
import { ROOT, describeFailure, hasRedisServer, readerEnv, runBlock, scratchCopy, type BlockResult } from './run-block.js';
import { assertBuilt } from '../cli/run-cli.js';

/** Per block; the quick start's run takes a few seconds, 20-40 s on a loaded 2-core machine. */
const BLOCK_TIMEOUT_MS = 90_000;
/** Files run side by side in this many lanes: most of a block's time is processes starting. */
const LANES = 2;

const files = docFiles(ROOT)
  .map((file) => ({ file, blocks: runBlocksOf(file, readDoc(ROOT, file)) }))
  .filter((f) => f.blocks.length > 0);

type Outcome = { result: BlockResult } | { notRun: RunBlock } | { error: string };
const outcomes = new Map<RunBlock, Promise<Outcome>>();
const disposers: Array<() => Promise<void>> = [];

/** Runs one file's blocks in order in one scratch copy; after a failure the rest are not run. */
async function runFile(blocks: readonly RunBlock[], settle: Map<RunBlock, (o: Outcome) => void>): Promise<void> {
  let failed: RunBlock | undefined;
  let i = 0;
  try {
    const scratch = scratchCopy();
    disposers.push(scratch.dispose);
    for (; i < blocks.length; i++) {
      const block = blocks[i]!;
      if (failed !== undefined) {
        settle.get(block)!({ notRun: failed });
        continue;
      }
      const result = await runBlock(block, scratch.dir, readerEnv(), BLOCK_TIMEOUT_MS);
      if (result.code !== 0 || result.timedOut || missingLines(block.expect, result.output).length > 0) failed = block;
      settle.get(block)!({ result });
    }
  } catch (err) {
    for (; i < blocks.length; i++) settle.get(blocks[i]!)!({ error: String(err) });
  }
}

// Every block's outcome is a promise made now; the tests below await them in order.
const settle = new Map<RunBlock, (o: Outcome) => void>();
for (const { blocks } of files) {
  for (const b of blocks) outcomes.set(b, new Promise<Outcome>((resolve) => settle.set(b, resolve)));
}

beforeAll(() => {
  try {
    assertBuilt();
    // The suite's rule: a missing redis-server fails the tests, it does not skip them.
    if (!hasRedisServer()) throw new Error('redis-server is not installed (apt-get install redis-server): the examples use it');
  } catch (err) {
    for (const resolve of settle.values()) resolve({ error: String(err) });
    throw err;
  }
  const queue = [...files];
  const lane = async (): Promise<void> => {
    for (let f = queue.shift(); f !== undefined; f = queue.shift()) await runFile(f.blocks, settle);
  };
  for (let i = 0; i < LANES; i++) void lane();
});

afterAll(async () => {
  await Promise.all(disposers.map((dispose) => dispose()));
});

it('marks a meaningful subset: the quick start, the tour, and blocks in docs/', () => {
  const readme = files.find((f) => f.file === 'README.md')?.blocks ?? [];
  expect(readme.some((b) => b.code.includes('npx topo run topologies/pageviews.ts'))).toBe(true);
  expect(readme.some((b) => b.code.includes('npx topo batch'))).toBe(true);
  expect(files.filter((f) => f.file.startsWith('docs/')).length).toBeGreaterThan(0);
});

for (const { file, blocks } of files) {
  describe(file, () => {
    for (const block of blocks) {
      const title = `line ${block.line}: ${block.code.split('\n').find((l) => l.trim() !== '' && !l.startsWith('#'))}`;
      it(title, async () => {
        const o = await outcomes.get(block)!;
        // A later block builds on the earlier ones' state; after a failure its own result means nothing.
        if ('error' in o) throw new Error(o.error);
        if ('notRun' in o) throw new Error(`not run: the block at ${o.notRun.file}:${o.notRun.line} failed`);
        const r = o.result;
        const why = r.timedOut ? `timed out after ${BLOCK_TIMEOUT_MS} ms` : r.code !== 0 ? `exit ${r.code}` : '';
        expect(why, describeFailure(block, r, why)).toBe('');
        const missing = missingLines(block.expect, r.output);
        expect(missing, describeFailure(block, r, `output lacks, in order: ${JSON.stringify(missing)}`)).toEqual([]);
      }, 4 * BLOCK_TIMEOUT_MS); // it may wait for the blocks before it, in its lane
    }
  });
}
