/**
 * `topo serve` as a user starts it (the built CLI in a child process), a keep-alive HTTP
 * client for its JSON, and the CLI's `--json` answers to compare against.
 */
import { Agent, request } from 'node:http';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll } from 'vitest';
import { assertBuilt, spawnTopo, topo, waitForOutput, type CliResult } from '../cli/run-cli.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';

export interface Served {
  /** Base URL as printed on stderr, e.g. http://127.0.0.1:40123 */
  readonly url: string;
  readonly port: number;
  readonly child: ChildProcess;
  readonly out: { stdout: string; stderr: string };
  readonly done: Promise<CliResult>;
  /** Send a signal and wait for the exit. */
  stop(signal?: NodeJS.Signals): Promise<CliResult>;
}

const LISTENING = /listening on (http:\/\/\S+)/;

/** Start `topo serve --port 0 ...args`; resolves once it printed its URL. */
export async function startServe(args: readonly string[]): Promise<Served> {
  assertBuilt();
  const { child, out, done } = spawnTopo(['serve', '--port', '0', ...args]);
  let exited = false;
  void done.then(() => (exited = true));
  await waitForOutput(out, (s) => LISTENING.test(s) || exited, 45_000);
  const m = LISTENING.exec(out.stderr);
  if (!m) {
    child.kill('SIGKILL');
    throw new Error(`topo serve did not print its URL\nstderr:\n${out.stderr}`);
  }
  const url = m[1]!;
  return {
    url, port: Number(new URL(url).port), child, out, done,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return done;
    },
  };
}

/**
 * A test file's own redis-server and a `topo serve` on it, started before the file's tests
 * (after `seed`, when given) and stopped after them. Read the fields inside tests or hooks.
 */
export function serveOnFreshRedis(seed?: (redis: RedisServer) => Promise<void>): { redis: RedisServer; serve: Served } {
  const ctx = {} as { redis: RedisServer; serve: Served };
  beforeAll(async () => {
    ctx.redis = await startRedis();
    await seed?.(ctx.redis);
    ctx.serve = await startServe(['--redis', ctx.redis.url]);
  }, 120_000);
  afterAll(async () => {
    closeAgent();
    await ctx.serve?.stop();
    await ctx.redis?.dispose();
  });
  return ctx;
}

export interface Reply {
  readonly status: number;
  readonly body: unknown;
  /** Round trip, ms. */
  readonly ms: number;
}

const agent = new Agent({ keepAlive: true, maxSockets: 4 });

/** GET `url` and parse the JSON body (one connection reused across calls). */
export function get(url: string, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = request(url, { agent, method }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (s: string) => (text += s));
      res.on('end', () => {
        try {
          resolve({ status: res.statusCode ?? 0, body: text === '' ? null : JSON.parse(text), ms: performance.now() - t0 });
        } catch (err) {
          reject(new Error(`not JSON (${res.statusCode}): ${text}`, { cause: err }));
        }
      });
    });
    req.on('error', reject);
    req.end();
  });
}

export function closeAgent(): void {
  agent.destroy();
}

/** `topo ...args --json`: the parsed stdout; throws with stderr on a non-zero exit. */
export async function cliJson(args: readonly string[]): Promise<unknown> {
  const r = await topo([...args, '--json']);
  if (r.code !== 0) throw new Error(`topo ${args.join(' ')} exited ${r.code}\n${r.stderr}`);
  return JSON.parse(r.stdout.trim());
}

/** A query string from defined parameters. */
export function qs(params: Record<string, string | number | undefined>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) p.set(k, String(v));
  return p.toString();
}

/** Percentile (nearest rank) of unsorted samples. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return NaN;
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}
