// Runs one marked shell block the way a reader would paste it: bash, in a scratch copy of the
// repository, stopping at the first failing command.
import { stopPrivateRedis } from '../../src/speed/private-redis.js';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunBlock } from './markdown.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'dist', 'cli', 'bin.js');

// `npx topo ...` runs the checkout's own CLI: in the scratch copy npx would install the
// package into its cache first (and run its prepare script), which is not what is under test.
// `npm ci` and `npm test` (the quick start) are what is already happening; any other npm or
// npx use in a marked block is refused, so such a block is not marked by mistake.
const PRELUDE = `set -eo pipefail
exec 2>&1
npx() {
  if [ "$1" = topo ]; then shift; node "$TOPO_BIN" "$@"; return; fi
  echo "docs test: only 'npx topo' runs in a marked block, not 'npx $*'" >&2; return 127
}
npm() {
  case "$1" in
    ci) echo "(docs test: npm ci skipped, the checkout is installed)" ;;
    test) echo "(docs test: npm test skipped, it is what is running)" ;;
    *) echo "docs test: 'npm $*' does not run in a marked block" >&2; return 127 ;;
  esac
}
`;

export interface BlockResult {
  readonly code: number | null;
  readonly output: string;
  readonly timedOut: boolean;
}

/**
 * A scratch copy of what a clone holds and a reader's commands touch: package.json, the
 * README, docs/ and topologies/ copied (commands write next to them: .topo/, data/, files
 * such as counts.json), src/, dist/ and node_modules linked (read only).
 */
export function scratchCopy(): { dir: string; dispose: () => Promise<void> } {
  const dir = mkdtempSync(join(tmpdir(), 'topo-docs-'));
  for (const f of ['package.json', 'README.md', 'LICENSE']) cpSync(join(ROOT, f), join(dir, f));
  for (const d of ['docs', 'topologies']) cpSync(join(ROOT, d), join(dir, d), { recursive: true });
  for (const d of ['src', 'dist', 'node_modules']) symlinkSync(join(ROOT, d), join(dir, d));
  // The private redis-server the blocks started stays up after them: stop it, then remove the copy.
  return { dir, dispose: async () => { await stopPrivateRedis(dir); rmSync(dir, { recursive: true, force: true }); } };
}

/** The environment of a reader with nothing set: views go to the private redis-server. */
export function readerEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, TOPO_BIN: BIN };
  for (const k of ['REDIS_URL', 'REDIS_CLUSTER_URLS', 'NODE_OPTIONS']) delete env[k];
  return env;
}

export function runBlock(block: RunBlock, cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<BlockResult> {
  return new Promise((resolve) => {
    // detached: the block is a process group, so a timeout ends everything it started.
    const child = spawn('bash', ['-c', PRELUDE + block.code], { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    // The prelude sends stderr to stdout (one ordered stream); bash's own early errors still come here.
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output, timedOut });
    });
  });
}

/** The failure message of a block: where it is, what it ran, and the end of its output. */
export function describeFailure(block: RunBlock, r: BlockResult, why: string): string {
  const tail = r.output.split('\n').slice(-40).join('\n');
  return `${block.file}:${block.line}: ${why}\n--- block ---\n${block.code}\n--- output (last 40 lines) ---\n${tail}`;
}

export function hasRedisServer(): boolean {
  return spawnSync(process.env['REDIS_SERVER_BIN'] ?? 'redis-server', ['--version']).status === 0;
}
