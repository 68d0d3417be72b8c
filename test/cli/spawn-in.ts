// `topo ...args` started in a given folder with extra environment (and stdin) (for commands whose state
// lives in the current folder: `topo up`'s lock, the private redis-server, spill folders).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, type CliResult } from './run-cli.js';

const BIN = join(ROOT, 'dist', 'cli', 'bin.js');
const running = new Set<ReturnType<typeof spawn>>();

/** SIGKILL every command still running (afterAll of a test that failed before stopping one). */
export function killLeftovers(): void {
  for (const c of running) c.kill('SIGKILL');
  running.clear();
}

export function spawnIn(cwd: string, args: readonly string[], env: Record<string, string> = {}, stdin?: string): {
  child: ReturnType<typeof spawn>; out: { stdout: string; stderr: string }; done: Promise<CliResult>;
} {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, ...env }, stdio: [stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
  if (stdin !== undefined) child.stdin!.end(stdin);
  running.add(child);
  child.once('exit', () => running.delete(child));
  const out = { stdout: '', stderr: '' };
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (out.stdout += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (out.stderr += s));
  const done = new Promise<CliResult>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, ...out })));
  return { child, out, done };
}
