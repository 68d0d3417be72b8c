// The docs test's own parts can fail: a misplaced marker, a failing command, a missing output
// line are each reported, so a broken example cannot pass unnoticed.
import { describe, expect, it } from 'vitest';
import { anchorsOf, linksOf, missingLines, runBlocksOf } from './markdown.js';
import { readerEnv, runBlock, scratchCopy } from './run-block.js';

const md = (...lines: string[]): string => lines.join('\n');

describe('marked blocks', () => {
  it('takes only sh blocks right after <!-- run -->, with the output block after them', () => {
    const blocks = runBlocksOf('x.md', md(
      '```sh', 'echo unmarked', '```',
      '<!-- run -->', '', '```sh', 'echo a', '  echo b', '```',
      '<!-- output -->', '```text', 'a', '...', 'b', '```',
      '- item', '  <!-- run -->', '  ```sh', '  echo indented', '  ```',
    ));
    expect(blocks).toEqual([
      { file: 'x.md', line: 6, code: 'echo a\n  echo b', expect: ['a', 'b'] },
      { file: 'x.md', line: 18, code: 'echo indented', expect: [] },
    ]);
  });

  it('refuses a marker on anything but a shell block, and an output block without a run block', () => {
    expect(() => runBlocksOf('x.md', md('<!-- run -->', 'text'))).toThrow(/x\.md:1: <!-- run --> must be followed/);
    expect(() => runBlocksOf('x.md', md('<!-- run -->', '```ts', 'x', '```'))).toThrow(/must be followed by a ```sh block/);
    expect(() => runBlocksOf('x.md', md('```sh', 'a', '```', '<!-- output -->', '```text', 'a', '```'))).toThrow(/x\.md:4: <!-- output --> without/);
  });

  it('ignores markers inside code blocks', () => {
    expect(runBlocksOf('x.md', md('```text', '<!-- run -->', '```sh', 'x', '```'))).toEqual([]);
  });

  it('matches output lines in order, whitespace-insensitive, as substrings', () => {
    const out = 'first  line\n  second:   197\nthird\n';
    expect(missingLines(['first line', 'second: 197'], out)).toEqual([]);
    expect(missingLines(['second: 197', 'first line'], out)).toEqual(['first line']);
    expect(missingLines(['second: 394'], out)).toEqual(['second: 394']);
    expect(missingLines(['{"a":1,', '"b":2}'], '{"a":1, "b":2}\n')).toEqual([]);
    expect(missingLines(['"b":2}', '{"a":1,'], '{"a":1, "b":2}\n')).toEqual(['{"a":1,']);
  });
});

describe('running a block', () => {
  const block = (code: string) => ({ file: 'x.md', line: 1, code, expect: [] });

  it('stops at the first failing command and reports its exit code', async () => {
    const s = scratchCopy();
    try {
      const r = await runBlock(block('echo before\nfalse\necho after'), s.dir, readerEnv(), 10_000);
      expect(r.code).toBe(1);
      expect(r.output).toContain('before');
      expect(r.output).not.toContain('after');
      const piped = await runBlock(block('npx topo no-such-command | cat'), s.dir, readerEnv(), 20_000);
      expect(piped.code).not.toBe(0); // pipefail: a failing topo is not hidden by the pipe
      const npx = await runBlock(block('npx something-else'), s.dir, readerEnv(), 10_000);
      expect(npx.code).toBe(127);
      expect(npx.output).toMatch(/only 'npx topo' runs/);
    } finally {
      s.dispose();
    }
  }, 60_000);

  it('runs npx topo from the checkout, in the scratch copy', async () => {
    const s = scratchCopy();
    try {
      const r = await runBlock(block('npx topo --help && pwd'), s.dir, readerEnv(), 20_000);
      expect(r.code, r.output).toBe(0);
      expect(r.output).toMatch(/Usage: topo/);
      expect(r.output).toContain(s.dir);
    } finally {
      s.dispose();
    }
  }, 30_000);
});

describe('links and anchors', () => {
  it('finds links outside code, and GitHub anchors of headings', () => {
    const text = md('[a](a.md) `[b](b.md)` ![i](i.png)', '```', '[c](c.md)', '```', '[r]: r.md');
    expect(linksOf('x.md', text).map((l) => l.target)).toEqual(['a.md', 'i.png', 'r.md']);
    const anchors = anchorsOf(md('# The `topo` command', '## Serving: `query = f(batch, realtime)`', '## Notes', '## Notes'));
    expect([...anchors]).toEqual(['the-topo-command', 'serving-query--fbatch-realtime', 'notes', 'notes-1']);
  });
});
