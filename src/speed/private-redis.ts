/**
 * A private redis-server for commands given no Redis URL: data in `./.topo/redis` (AOF) so a
 * later command (`topo query`, `topo batch`, another run) sees what an earlier one wrote.
 *
 * It stays up between commands: the first command that needs it starts a keeper process
 * (redis-keeper.ts) that runs redis-server on the folder, restarts it if it crashes and stops
 * it after `TOPO_REDIS_IDLE_MS` (default 30 min) without a client; later commands find it
 * through `./.topo/redis/server.json` (pid alive and PING answered) and connect at once, where
 * restarting it replayed the whole append-only file (seconds, growing with the data).
 * `topo redis stop` stops it, `topo redis status` says where it is.
 *
 * `appendfsync everysec`: a redis-server crash loses nothing already replied to (the AOF is
 * written before replies go out; only a machine crash loses the last second), at a fraction
 * of the cost of `always`. For a development default that is the right trade; the realtime
 * views are repaired by the next batch run anyway. Production Redis is configured by its
 * operator, and `--redis URL` points at it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitForRedis } from './wait-redis.js';

export interface PrivateRedis {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  readonly dir: string;
  /** True when this command started it (false: it was already running). */
  readonly started: boolean;
}

export interface ServerFile {
  /** The redis-server's pid. */
  readonly pid: number;
  readonly port: number;
  /** The keeper's pid (absent in files of older versions). */
  readonly keeper?: number;
}

export const DEFAULT_IDLE_MS = 30 * 60_000;
/** The keeper's script: next to this file when built; from src (tests), the built copy. */
function keeperScript(): string {
  const here = fileURLToPath(new URL('./redis-keeper.js', import.meta.url));
  return existsSync(here) ? here : fileURLToPath(new URL('../../dist/speed/redis-keeper.js', import.meta.url));
}

/** True when `bin` can be executed (it is on PATH or a path to a binary). */
export function hasRedisServer(bin = 'redis-server'): boolean {
  return spawnSync(bin, ['--version'], { stdio: 'ignore' }).error === undefined;
}

export const privateRedisDir = (cwd: string): string => resolve(cwd, '.topo', 'redis');

/** The idle time before the keeper stops the server: TOPO_REDIS_IDLE_MS, else 30 min. */
export function idleMsOf(env: Readonly<Record<string, string | undefined>> = process.env): number {
  const v = Number(env['TOPO_REDIS_IDLE_MS']);
  return Number.isFinite(v) && v >= 1000 ? v : DEFAULT_IDLE_MS;
}

/** The running private server of `cwd` (pid alive and PING answered), or null. */
export async function findPrivateRedis(cwd: string): Promise<PrivateRedis | null> {
  const dir = privateRedisDir(cwd);
  const known = readServerFile(join(dir, 'server.json'));
  if (known === null || !isAlive(known.pid) || !(await answers(known.port))) return null;
  return { url: `redis://127.0.0.1:${known.port}`, port: known.port, pid: known.pid, dir, started: false };
}

/** The private server of `cwd`: the running one, else one started now (through its keeper) on the folder's data. */
export async function startPrivateRedis(cwd: string, bin = 'redis-server', idleMs = idleMsOf()): Promise<PrivateRedis> {
  const running = await findPrivateRedis(cwd);
  if (running !== null) return running;
  const dir = privateRedisDir(cwd);
  mkdirSync(dir, { recursive: true });
  // Detached with no pipes: the keeper outlives this command.
  const keeper = spawn(process.execPath, [keeperScript(), dir, bin, String(idleMs)], { detached: true, stdio: 'ignore' });
  let exited = false;
  keeper.once('exit', () => (exited = true));
  keeper.unref();
  // Another command may have started one at the same moment: either keeper's server will do.
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; ) {
    const up = await findPrivateRedis(cwd);
    if (up !== null) return { ...up, started: true };
    if (exited && !existsSync(join(dir, 'keeper.lock'))) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`private redis-server (data in ${dir}) did not start; see ${join(dir, 'keeper.log')}:\n${logTail(dir)}`);
}

/** Stops the private server of `cwd` (through its keeper); false when none was running. */
export async function stopPrivateRedis(cwd: string): Promise<boolean> {
  const dir = privateRedisDir(cwd);
  const known = readServerFile(join(dir, 'server.json'));
  const lockPid = readPid(join(dir, 'keeper.lock'));
  const keeper = known?.keeper ?? lockPid;
  const targets = [keeper, known?.pid].filter((p): p is number => p !== undefined && isAlive(p));
  if (targets.length === 0) return false;
  // The keeper stops its server and exits; a server without a live keeper is stopped directly.
  process.kill(keeper !== undefined && isAlive(keeper) ? keeper : targets[0]!, 'SIGTERM');
  for (let i = 0; i < 600 && targets.some(isAlive); i++) await new Promise((r) => setTimeout(r, 25));
  return true;
}

function logTail(dir: string): string {
  try {
    return readFileSync(join(dir, 'keeper.log'), 'utf8').trimEnd().split('\n').slice(-5).join('\n');
  } catch {
    return '(no log)';
  }
}

function readPid(file: string): number | undefined {
  try {
    const n = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

export function readServerFile(file: string): ServerFile | null {
  try {
    const j = JSON.parse(readFileSync(file, 'utf8')) as Partial<ServerFile>;
    if (typeof j.pid !== 'number' || typeof j.port !== 'number') return null;
    return { pid: j.pid, port: j.port, ...(typeof j.keeper === 'number' ? { keeper: j.keeper } : {}) };
  } catch {
    return null;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function answers(port: number): Promise<boolean> {
  try {
    await waitForRedis(`redis://127.0.0.1:${port}`, 1000);
    return true;
  } catch {
    return false;
  }
}

/** A port free on 127.0.0.1 now: bind port 0, read what the OS gave, release it. */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => res(port));
    });
  });
}
