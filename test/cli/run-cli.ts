// Runs the real `topo` CLI (package.json bin: dist/cli/bin.js) in a child process, as a user would.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'dist', 'cli', 'bin.js');

export const cliFixture = (name: string): string => join(ROOT, 'test', 'fixtures', 'cli', name);
export const topologyFile = (name: string): string => join(ROOT, 'topologies', name);

/** `npm test` builds dist first (pretest); running vitest alone needs `npm run build` once. */
export function assertBuilt(): void {
  if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) {
    throw new Error('dist/cli/main.js is missing: run `npm run build` (npm test does it in pretest)');
  }
}

export interface CliResult {
  /** Exit code (null when ended by a signal); `timedOut` when topo() had to kill it. */
  code: number | null;
  timedOut?: boolean;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The `--json` RunSummary: the last line of stdout. */
export interface Summary {
  topology: string;
  workers: number;
  elapsedMs: number;
  status: string;
  spouts: Record<string, { emitted: number; acked: number; failed: number; replayed: number }>;
  bolts: Record<string, { executed: number; emitted: number; acked: number; failed: number; errors: number }>;
  completeLatencyMs: { p50: number; p99: number; max: number } | null;
  throughput: { ackedPerSec: number };
  restarts: number;
  chaosKills: number;
  pending: number;
}

export function summaryOf(r: CliResult): Summary {
  const lines = r.stdout.trimEnd().split('\n');
  try {
    return JSON.parse(lines[lines.length - 1]!) as Summary;
  } catch {
    throw new Error(`no JSON summary on the last stdout line (exit ${r.code})\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  }
}

/** Run `topo ...args` to its end; never rejects on a non-zero exit. */
export function topo(args: readonly string[], timeoutMs = 60000): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: ROOT, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const e = err as (Error & { code?: number | string; signal?: NodeJS.Signals }) | null;
      const code = e === null ? 0 : typeof e.code === 'number' ? e.code : null;
      const timedOut = e !== null && 'killed' in e && e.killed === true;
      resolve({ code, signal: e?.signal ?? null, stdout, stderr: timedOut ? `${stderr}\n(killed after ${timeoutMs} ms)` : stderr, timedOut });
    });
  });
}

/** Start `topo ...args` and return the child with its output so far (for signals). */
export function spawnTopo(args: readonly string[]): { child: ChildProcess; out: { stdout: string; stderr: string }; done: Promise<CliResult> } {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = { stdout: '', stderr: '' };
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (out.stdout += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (out.stderr += s));
  const done = new Promise<CliResult>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, ...out }));
  });
  return { child, out, done };
}

/** Resolves when `test` holds on the child's output, or after `ms` anyway. */
export async function waitForOutput(out: { stderr: string }, test: (stderr: string) => boolean, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (!test(out.stderr) && Date.now() < until) await new Promise((r) => setTimeout(r, 25));
}

/** A fresh temp directory and its removal. */
export function tempDir(tag: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `topo-cli-${tag}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
