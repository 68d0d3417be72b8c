/**
 * Helpers of the YSB tests: the real CLI and the application's own script (ysb.mjs) in a
 * scratch folder per test (the ad -> campaign table file is relative to it), a Redis
 * database per test, and the campaigns view's cells by the documented key schema.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { topKey, viewPrefix } from '../../src/views/index.js';
import { campaignsView } from '../../topologies/ysb/model.js';
import { BIN, cleanEnv, ROOT, topoIn } from '../pageviews-e2e/harness.js';
import type { CliResult } from '../cli/run-cli.js';

export const YSB = join(ROOT, 'topologies', 'ysb.ts');
export const SCRIPT = join(ROOT, 'topologies', 'ysb', 'ysb.mjs');

export interface Scratch {
  readonly dir: string;
  readonly redis: string;
  readonly master: string;
  readonly rejects: string;
  readonly env: NodeJS.ProcessEnv;
}

export function scratch(root: string, tag: string, redis: string): Scratch {
  const dir = join(root, tag);
  mkdirSync(dir, { recursive: true });
  return { dir, redis, master: join(dir, 'master'), rejects: join(dir, 'rejects.jsonl'), env: cleanEnv({ YSB_ADS: join(dir, 'ads.json') }) };
}

/** `topo ...args` in the scratch folder. */
export function topo(s: Scratch, args: readonly string[], timeoutMs = 120_000): Promise<CliResult> {
  return topoIn(args, { cwd: s.dir, env: s.env, timeoutMs });
}

/** `topo run topologies/ysb.ts` with the scratch's Redis, master, rejects and table file. */
export function runYsb(s: Scratch, extra: readonly string[]): Promise<CliResult> {
  return topo(s, ['run', YSB, '--redis', s.redis, '-c', `master=${s.master}`, '-c', `rejects=${s.rejects}`, '-c', `ysb.ads=${s.env['YSB_ADS']}`, '--json', '-q', ...extra], 180_000);
}

/** `node topologies/ysb/ysb.mjs ...args` in the scratch folder; never rejects on a non-zero exit. */
export function script(s: Scratch, args: readonly string[], input?: string): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [SCRIPT, ...args, '--redis', s.redis], { cwd: s.dir, env: s.env, timeout: 120_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const e = err as (Error & { code?: number | string; signal?: NodeJS.Signals }) | null;
      resolve({ code: e === null ? 0 : typeof e.code === 'number' ? e.code : null, signal: e?.signal ?? null, stdout, stderr });
    });
    if (input !== undefined) child.stdin!.end(input);
  });
}

/** `ysb.mjs events ... | topo produce - --stream NAME --format ysb`: the benchmark's events in a stream. */
export function produce(s: Scratch, stream: string, events: readonly string[]): Promise<{ events: CliResult; produce: CliResult }> {
  return new Promise((resolve) => {
    const gen = spawn(process.execPath, [SCRIPT, 'events', ...events, '--redis', s.redis], { cwd: s.dir, env: s.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const prod = spawn(process.execPath, [BIN, 'produce', '-', '--stream', stream, '--topology', YSB, '--format', 'ysb', '--redis', s.redis, '-q'], { cwd: s.dir, env: s.env, stdio: ['pipe', 'pipe', 'pipe'] });
    gen.stdout.pipe(prod.stdin);
    const out = { g: '', ge: '', p: '', pe: '' };
    gen.stderr.on('data', (d) => (out.ge += d));
    prod.stdout.on('data', (d) => (out.p += d));
    prod.stderr.on('data', (d) => (out.pe += d));
    let gCode: number | null = null;
    gen.once('exit', (c) => (gCode = c));
    prod.once('exit', (c) => resolve({ events: { code: gCode, signal: null, stdout: '', stderr: out.ge }, produce: { code: c, signal: null, stdout: out.p, stderr: out.pe } }));
  });
}

/** The realtime cell of a campaign's window (the key schema of docs/speed-layer.md): a member of the window's top ZSET. */
export function cellKey(campaign: string, windowStart: number): { key: string; member: string } {
  return { key: topKey(viewPrefix('ysb', campaignsView), windowStart), member: campaign };
}

export interface CheckJson {
  events: number;
  views: number;
  windows: number;
  sources: { batch: number; realtime: number };
  differing: number;
  diffs: Array<{ campaign: string; window: string; expected: number; got: number; diff: number; source: string }>;
}
