// Every relative link of README.md and docs/*.md points into the repository, at a file a
// clone has (it exists and git does not ignore it), and a #fragment at one of its headings.
// Links to the web are left alone; a link out of the repository (../shared/...) fails.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { anchorsOf, docFiles, linksOf, readDoc } from './markdown.js';
import { ROOT } from './run-block.js';

// Pages other branches add; linked from the README and the docs index already. Accepted while
// absent, checked like any other once present. Remove a name when its page has landed.
const PENDING = new Set(['docs/datasets.md', 'docs/dashboard.md', 'docs/aggregations.md']);

const isGit = existsSync(join(ROOT, '.git'));
const ignored = (rel: string): boolean => isGit && spawnSync('git', ['check-ignore', '-q', rel], { cwd: ROOT }).status === 0;

/** The problem with one link, or null when it is fine. */
function problemOf(file: string, target: string): string | null {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return null; // https:, mailto:, ...
  const [pathPart, fragment] = target.split('#', 2) as [string, string | undefined];
  const rel = pathPart === '' ? file : normalize(join(dirname(file), decodeURIComponent(pathPart)));
  if (rel.startsWith('..') || relative(ROOT, join(ROOT, rel)).startsWith('..')) return `points out of the repository (${rel})`;
  const abs = join(ROOT, rel);
  if (!existsSync(abs)) return PENDING.has(rel) ? null : `${rel} does not exist`;
  if (ignored(rel)) return `${rel} is ignored by git: a clone lacks it`;
  if (fragment !== undefined && fragment !== '' && statSync(abs).isFile() && rel.endsWith('.md')) {
    if (!anchorsOf(readDoc(ROOT, rel)).has(fragment)) return `${rel} has no heading for #${fragment}`;
  }
  return null;
}

describe('links in README.md and docs/*.md', () => {
  const files = docFiles(ROOT);

  it('every relative link points at a file (and heading) a clone has', () => {
    const problems = files.flatMap((file) =>
      linksOf(file, readDoc(ROOT, file)).flatMap((l) => {
        const p = problemOf(l.file, l.target);
        return p === null ? [] : [`${l.file}:${l.line}: (${l.target}) ${p}`];
      }),
    );
    const absent = [...PENDING].filter((p) => !existsSync(join(ROOT, p)));
    if (absent.length > 0) console.warn(`links to pages not yet in this branch accepted: ${absent.join(', ')}`);
    expect(problems).toEqual([]);
  });

  it('every docs page is reachable from the docs index', () => {
    const index = linksOf('docs/README.md', readDoc(ROOT, 'docs/README.md')).map((l) => normalize(join('docs', l.target.split('#')[0]!)));
    const unlisted = files.filter((f) => f.startsWith('docs/') && f !== 'docs/README.md' && !index.includes(f));
    expect(unlisted).toEqual([]);
  });

  it('the checker catches what it must', () => {
    expect(problemOf('README.md', '../shared/design/ARCHITECTURE.md')).toMatch(/out of the repository/);
    expect(problemOf('README.md', 'docs/no-such-page.md')).toMatch(/does not exist/);
    expect(problemOf('README.md', 'docs/cli.md#no-such-heading')).toMatch(/no heading/);
    expect(problemOf('README.md', 'docs/cli.md#the-topo-command')).toBeNull();
    expect(problemOf('docs/cli.md', '../README.md#quick-start')).toBeNull();
    if (isGit) expect(problemOf('README.md', 'dist/index.js')).toMatch(/ignored by git/);
  });
});
