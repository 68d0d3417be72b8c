// The examples of README.md and docs/*.md do what they say: every ```sh block marked
// `<!-- run -->` runs (bash, stop at the first failing command) in a scratch copy of the
// repository, the blocks of one file in order in the same copy (a later block sees what an
// earlier one wrote), with no REDIS_URL: the embedded default, a private redis-server in the
// copy's .topo/redis, exactly what a reader gets. Each must exit 0, and when an
// `<!-- output -->` block follows it, print those lines in that order. See markdown.ts.
import { beforeAll, describe, expect, it } from 'vitest';
import { docFiles, missingLines, readDoc, runBlocksOf, type RunBlock } from './markdown.js';
import { ROOT, describeFailure, hasRedisServer, readerEnv, runBlock, scratchCopy } from './run-block.js';
import { assertBuilt } from '../cli/run-cli.js';

/** Per block; the quick start's run takes a few seconds, 20-40 s on a loaded 2-core machine. */
const BLOCK_TIMEOUT_MS = 90_000;

const files = docFiles(ROOT).map((file) => ({ file, blocks: runBlocksOf(file, readDoc(ROOT, file)) }));

beforeAll(() => {
  assertBuilt();
  // The suite's rule: a missing redis-server fails the tests, it does not skip them.
  if (!hasRedisServer()) throw new Error('redis-server is not installed (apt-get install redis-server): the examples use it');
});

it('marks a meaningful subset: the quick start, the tour, and blocks in docs/', () => {
  const readme = files.find((f) => f.file === 'README.md')!.blocks;
  expect(readme.some((b) => b.code.includes('npx topo run topologies/pageviews.ts'))).toBe(true);
  expect(readme.some((b) => b.code.includes('npx topo batch'))).toBe(true);
  expect(files.filter((f) => f.file.startsWith('docs/') && f.blocks.length > 0).length).toBeGreaterThan(0);
});

for (const { file, blocks } of files.filter((f) => f.blocks.length > 0)) {
  describe.sequential(file, () => {
    let scratch: ReturnType<typeof scratchCopy> | undefined;
    let failedBefore: RunBlock | undefined;
    beforeAll(() => {
      scratch = scratchCopy();
      return () => scratch?.dispose();
    });

    for (const block of blocks) {
      const title = `line ${block.line}: ${block.code.split('\n').find((l) => l.trim() !== '' && !l.startsWith('#'))}`;
      it(title, async () => {
        // A later block builds on the earlier ones' state; after a failure its own result means nothing.
        if (failedBefore !== undefined) throw new Error(`not run: the block at ${failedBefore.file}:${failedBefore.line} failed`);
        const r = await runBlock(block, scratch!.dir, readerEnv(), BLOCK_TIMEOUT_MS);
        const why = r.timedOut ? `timed out after ${BLOCK_TIMEOUT_MS} ms` : r.code !== 0 ? `exit ${r.code}` : '';
        const missing = why === '' ? missingLines(block.expect, r.output) : [];
        if (why !== '' || missing.length > 0) failedBefore = block;
        expect(why, describeFailure(block, r, why)).toBe('');
        expect(missing, describeFailure(block, r, `output lacks, in order: ${JSON.stringify(missing)}`)).toEqual([]);
      }, BLOCK_TIMEOUT_MS + 10_000);
    }
  });
}
