/**
 * A private redis-server for runs given no Redis URL: data in `./.topo/redis` (AOF) so a
 * later command (`topo query`, `topo batch`, another run) sees what an earlier one wrote.
 * Its port and pid are kept in `./.topo/redis/server.json`; a command finding a live one
 * (pid alive and PING answered) reuses it, otherwise it starts a new one on the same data.
 *
 * `appendfsync everysec`: a redis-server crash loses nothing already replied to (the AOF is
 * written before replies go out; only a machine crash loses the last second), at a fraction
 * of the cost of `always`, which fsyncs on every flush. For a development default that is the
 * right trade; the realtime views are repaired by the next batch run anyway. Production
 * Redis is configured by its operator, and `--redis URL` points at it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { waitForRedis } from './connect.js';

export interface PrivateRedis {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  readonly dir: string;
  /** True when this process started it (false: reused a running one). */
  readonly started: boolean;
  /** Stop it (SIGTERM, wait for exit) if this process started it. */
  stop(): Promise<void>;
}

interface ServerFile {
  readonly pid: number;
  readonly port: number;
}

/** True when `bin` can be executed (it is on PATH or a path to a binary). */
export function hasRedisServer(bin = 'redis-server'): boolean {
  return spawnSync(bin, ['--version'], { stdio: 'ignore' }).error === undefined;
}

/** Reuse the private server of `cwd` if it runs, else start one on its data dir. */
export async function startPrivateRedis(cwd: string, bin = 'redis-server'): Promise<PrivateRedis> {
  const dir = resolve(cwd, '.topo', 'redis');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'server.json');
  const known = readServerFile(file);
  if (known !== null && alive(known.pid) && (await answers(known.port))) {
    return handle(dir, file, known, false);
  }
  const port = await freePort();
  const child = spawn(
    bin,
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '', '--daemonize', 'no'],
    // Detached with no pipes: a server asked to outlive this command must not hold it open.
    { detached: true, stdio: 'ignore' },
  );
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  child.unref();
  const up = await Promise.race([waitForRedis(`redis://127.0.0.1:${port}`, 10_000).then(() => true), exited.then(() => false)]);
  if (!up || child.pid === undefined) throw new Error(`private redis-server (data in ${dir}) did not start on port ${port}`);
  const info = { pid: child.pid, port };
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(info)}\n`);
  renameSync(tmp, file);
  return handle(dir, file, info, true);
}

function handle(dir: string, file: string, info: ServerFile, started: boolean): PrivateRedis {
  return {
    url: `redis://127.0.0.1:${info.port}`,
    port: info.port,
    pid: info.pid,
    dir,
    started,
    stop: async () => {
      if (!started || !alive(info.pid)) return;
      process.kill(info.pid, 'SIGTERM');
      for (let i = 0; i < 200 && alive(info.pid); i++) await new Promise((r) => setTimeout(r, 25));
      if (existsSync(file) && readServerFile(file)?.pid === info.pid) rmSync(file, { force: true });
    },
  };
}

function readServerFile(file: string): ServerFile | null {
  try {
    const j = JSON.parse(readFileSync(file, 'utf8')) as Partial<ServerFile>;
    return typeof j.pid === 'number' && typeof j.port === 'number' ? { pid: j.pid, port: j.port } : null;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
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
