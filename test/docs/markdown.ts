// Reads the shell blocks marked to run, and the relative links, out of the README and docs/*.md.
//
// The marker is an HTML comment line (invisible on GitHub) right before a fence:
//
//   <!-- run -->                 the next ```sh block is executed by test/docs/shell-blocks.test.ts
//   ```sh
//   npx topo validate topologies/wordcount.ts
//   ```
//   <!-- output -->              optional, right after it: lines the block's output must
//   ```text                      contain, in this order (each a substring of an output line,
//   [wordcount] completed in     whitespace runs compared as one space; "..." lines skipped)
//   ```
//
// A marker on anything else, or an output block without a run block before it, is an error:
// a typo must not turn a checked example into an unchecked one.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface RunBlock {
  /** Path relative to the repository root, and the 1-based line of the opening fence. */
  readonly file: string;
  readonly line: number;
  readonly code: string;
  /** Lines the output must contain in order (empty when the block has no output block). */
  readonly expect: readonly string[];
}

export interface MarkdownLink {
  readonly file: string;
  readonly line: number;
  readonly target: string;
}

interface Fence {
  readonly start: number; // index of the opening fence line
  readonly end: number; // index of the closing fence line
  readonly info: string;
  readonly body: string[];
}

const FENCE = /^(\s*)(`{3,}|~{3,})(.*)$/;
const RUN_MARKER = /^\s*<!--\s*run\s*-->\s*$/;
const OUTPUT_MARKER = /^\s*<!--\s*output\s*-->\s*$/;
const SHELL_INFO = new Set(['sh', 'bash', 'shell']);

/** The fenced code blocks of a Markdown text, with their line ranges. */
export function fencesOf(lines: readonly string[]): Fence[] {
  const fences: Fence[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]!);
    if (open === null) continue;
    const [, indent, marks] = open;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const close = FENCE.exec(lines[j]!);
      if (close !== null && close[2]!.startsWith(marks![0]!) && close[2]!.length >= marks!.length && close[3]!.trim() === '') break;
      // Drop the fence's own indentation (a block inside a list item).
      body.push(lines[j]!.startsWith(indent!) ? lines[j]!.slice(indent!.length) : lines[j]!);
    }
    fences.push({ start: i, end: j, info: open[3]!.trim().split(/\s+/)[0] ?? '', body });
    i = j;
  }
  return fences;
}

/** The index of the next non-blank line at or after `from`, or -1. */
function nextNonBlank(lines: readonly string[], from: number): number {
  for (let i = from; i < lines.length; i++) if (lines[i]!.trim() !== '') return i;
  return -1;
}

/** The marked shell blocks of one Markdown text; throws on a misplaced marker. */
export function runBlocksOf(file: string, text: string): RunBlock[] {
  const lines = text.split('\n');
  const fences = fencesOf(lines);
  const fenceAt = new Map(fences.map((f) => [f.start, f]));
  const inFence = new Set<number>();
  for (const f of fences) for (let i = f.start; i <= f.end; i++) inFence.add(i);
  const blocks: RunBlock[] = [];
  const usedOutputs = new Set<number>();
  for (let i = 0; i < lines.length; i++) {
    if (inFence.has(i) || !RUN_MARKER.test(lines[i]!)) continue;
    const at = nextNonBlank(lines, i + 1);
    const fence = fenceAt.get(at);
    if (fence === undefined || !SHELL_INFO.has(fence.info)) {
      throw new Error(`${file}:${i + 1}: <!-- run --> must be followed by a \`\`\`sh block`);
    }
    let expect: string[] = [];
    const marker = nextNonBlank(lines, fence.end + 1);
    if (marker !== -1 && OUTPUT_MARKER.test(lines[marker]!)) {
      const out = fenceAt.get(nextNonBlank(lines, marker + 1));
      if (out === undefined) throw new Error(`${file}:${marker + 1}: <!-- output --> must be followed by a code block`);
      usedOutputs.add(marker);
      expect = out.body.map(normalise).filter((l) => l !== '' && l !== '...');
    }
    blocks.push({ file, line: fence.start + 1, code: fence.body.join('\n'), expect });
  }
  for (let i = 0; i < lines.length; i++) {
    if (!inFence.has(i) && OUTPUT_MARKER.test(lines[i]!) && !usedOutputs.has(i)) {
      throw new Error(`${file}:${i + 1}: <!-- output --> without a <!-- run --> block right before it`);
    }
  }
  return blocks;
}

/** Whitespace runs as one space, trimmed: column alignment is not part of an example's meaning. */
export function normalise(line: string): string {
  return line.replace(/\s+/g, ' ').trim();
}

/**
 * The expected lines missing from `output`, matched in order (each after the previous match,
 * so several may fall in one long output line, such as a wrapped JSON answer); empty when all
 * are there.
 */
export function missingLines(expect: readonly string[], output: string): string[] {
  const out = output.split('\n').map(normalise).join('\n');
  let at = 0;
  for (let k = 0; k < expect.length; k++) {
    const found = out.indexOf(expect[k]!, at);
    if (found === -1) return expect.slice(k);
    at = found + expect[k]!.length;
  }
  return [];
}

/** Inline links and images `[text](target)`, and reference definitions `[x]: target`, outside code. */
export function linksOf(file: string, text: string): MarkdownLink[] {
  const lines = text.split('\n');
  const inFence = new Set<number>();
  for (const f of fencesOf(lines)) for (let i = f.start; i <= f.end; i++) inFence.add(i);
  const links: MarkdownLink[] = [];
  lines.forEach((raw, i) => {
    if (inFence.has(i)) return;
    const line = raw.replace(/`[^`]*`/g, ''); // inline code is not a link
    for (const m of line.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) links.push({ file, line: i + 1, target: m[1]! });
    const ref = /^\s*\[[^\]]+\]:\s*(\S+)/.exec(line);
    if (ref !== null) links.push({ file, line: i + 1, target: ref[1]! });
  });
  return links;
}

/** GitHub's anchors for the headings of a Markdown text (duplicates get -1, -2, ...). */
export function anchorsOf(text: string): Set<string> {
  const lines = text.split('\n');
  const inFence = new Set<number>();
  for (const f of fencesOf(lines)) for (let i = f.start; i <= f.end; i++) inFence.add(i);
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  lines.forEach((line, i) => {
    const h = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (inFence.has(i) || h === null) return;
    const base = h[1]!.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  });
  return anchors;
}

/** README.md and every docs/*.md present (files other branches add are checked once they exist). */
export function docFiles(root: string): string[] {
  const docs = existsSync(join(root, 'docs'))
    ? readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)
    : [];
  return ['README.md', ...docs];
}

export function readDoc(root: string, file: string): string {
  return readFileSync(join(root, file), 'utf8');
}
