// Inputs a LineFileSpout cannot read as a file end the run within seconds with exit 1 and a
// message naming the path and the problem, with or without -q (issue 12: a directory gave
// ~800 EISDIR errors a second forever, nothing with -q, and exit 0 on Ctrl-C; a FIFO without
// a writer hung the thread in open(), so not even a second Ctrl-C ended the process). A spout
// whose nextTuple throws on every call ends the run too, instead of counting errors forever.
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cliFixture, ROOT, spawnTopo, summaryOf, tempDir, topologyFile, waitForOutput, type CliResult } from './run-cli.js';

const WORDCOUNT = topologyFile('wordcount.ts');
const BIN = join(ROOT, 'dist', 'cli', 'bin.js');
/** A failure must show within this (the runs themselves take about a second). */
const DEADLINE_MS = 30_000;

let tmp: ReturnType<typeof tempDir>;

beforeAll(() => {
  assertBuilt();
  tmp = tempDir('inputs');
  chmodSync(tmp.dir, 0o755);
});
afterAll(() => tmp?.remove());

/**
 * Run topo to its end or SIGKILL it at the deadline (SIGTERM is a request to drain, and a
 * thread stuck in open() on a FIFO ignored even that); `uid` runs it as another user.
 */
function run(args: readonly string[], uid?: number): Promise<CliResult & { ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], {
      cwd: ROOT, timeout: DEADLINE_MS, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024,
      ...(uid !== undefined ? { uid, gid: uid } : {}),
    }, (err, stdout, stderr) => {
      const e = err as (Error & { code?: number | string; signal?: NodeJS.Signals; killed?: boolean }) | null;
      const code = e === null ? 0 : typeof e.code === 'number' ? e.code : null;
      resolve({ code, signal: e?.signal ?? null, stdout, stderr: e?.killed ? `${stderr}\n(killed after ${DEADLINE_MS} ms)` : stderr, timedOut: e?.killed === true, ms: Date.now() - started });
    });
  });
}

/** The end of stderr (a runaway error loop prints thousands of lines). */
const tail = (r: CliResult): string => r.stderr.split('\n').slice(-8).join('\n');

describe('a LineFileSpout input that is not a readable file', () => {
  it('a directory: exit 1 at start, named, even with -q', async () => {
    const dir = join(tmp.dir, 'a-directory');
    mkdirSync(dir);
    const r = await run(['run', WORDCOUNT, '-c', `input=${dir}`, '-q', '--json']);
    expect(r.code, tail(r)).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`component 'sentences' \\(task \\d+\\) failed to start: input '${dir}' is a directory, not a file`));
    expect(r.stderr).not.toMatch(/EISDIR/);
    expect(r.stdout).toBe('');
  }, DEADLINE_MS + 5000);

  it('a FIFO (with no writer): exit 1 at once, not a thread stuck in open()', async () => {
    const fifo = join(tmp.dir, 'a-fifo');
    await new Promise<void>((resolve, reject) => execFile('mkfifo', [fifo], (e) => (e ? reject(e) : resolve())));
    const r = await run(['run', WORDCOUNT, '-c', `input=${fifo}`, '-q']);
    expect(r.code, tail(r)).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`input '${fifo}' is a FIFO \\(named pipe\\), not a file`));
  }, DEADLINE_MS + 5000);

  it('a missing file: exit 1, the path and the problem without a stack trace', async () => {
    const missing = join(tmp.dir, 'no-such-file.txt');
    const r = await run(['run', WORDCOUNT, '-c', `input=${missing}`, '-q']);
    expect(r.code, tail(r)).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`input '${missing}' cannot be opened: no such file or directory \\(ENOENT\\)`));
    expect(r.stderr).not.toMatch(/\n\s+at /);
  }, DEADLINE_MS + 5000);

  it('a file without read permission: exit 1, EACCES named (as an unprivileged user when run as root)', async () => {
    const secret = join(tmp.dir, 'secret.txt');
    writeFileSync(secret, 'a b c\n');
    // root reads any file: the CLI then runs as 'nobody', which may not read this root-owned 0600 file.
    chmodSync(secret, process.getuid?.() === 0 ? 0o600 : 0o000);
    const r = await run(['run', WORDCOUNT, '-c', `input=${secret}`, '-q'], process.getuid?.() === 0 ? 65534 : undefined);
    expect(r.code, tail(r)).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`input '${secret}' cannot be opened: permission denied \\(EACCES\\)`));
  }, DEADLINE_MS + 5000);

  it('a file deleted mid-run is read to its end through the open descriptor: every line acked, exit 0', async () => {
    const LINES = 3000;
    const file = join(tmp.dir, 'deleted.txt');
    // ~180 KB, several 64 KB reads; at most 50 trees of 50 ms at once bounds the run to >= 3 s.
    writeFileSync(file, Array.from({ length: LINES }, (_, i) => `line ${i} ${'x'.repeat(50)}`).join('\n'));
    const { child, out, done } = spawnTopo([
      'run', cliFixture('slow-trees.ts'), '-c', `input=${file}`, '-c', 'delayMs=50', '-c', 'maxSpoutPending=50', '--json', '--metrics-interval', '500ms',
    ]);
    await waitForOutput(out, (s) => /emitted [1-9]/.test(s), DEADLINE_MS);
    unlinkSync(file);
    const deadline = setTimeout(() => child.kill('SIGKILL'), DEADLINE_MS);
    const r = await done;
    clearTimeout(deadline);
    expect(r.code, tail(r)).toBe(0);
    const s = summaryOf(r);
    expect(s.status).toBe('completed');
    expect(s.spouts['lines']!.acked).toBe(LINES);
  }, 2 * DEADLINE_MS + 5000);
});

describe('a spout whose nextTuple throws on every call', () => {
  it('fails the run within seconds (exit 1), and -q still shows the error', async () => {
    const r = await run(['run', cliFixture('throwing-spout.ts'), '-q', '--json']);
    expect(r.code, tail(r)).toBe(1);
    expect(r.ms).toBeLessThan(20_000);
    expect(r.stderr).toMatch(/component 'broken' \(task \d+\) failed the run: nextTuple threw on every call for 5 s .*source unavailable/);
    const s = summaryOf(r);
    expect(s.status).toBe('failed');
  }, DEADLINE_MS + 5000);
});
