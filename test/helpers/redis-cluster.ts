/**
 * A real Redis Cluster for tests: three masters (no replicas) on free loopback ports, each a
 * redis-server with --cluster-enabled in a fresh temp dir, joined with
 * `redis-cli --cluster create`. Waits until every node says cluster_state:ok; stops its own
 * processes by PID. Never a mock: what matters is what a cluster refuses (CROSSSLOT, MOVED).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { RedisViewStore } from '../../src/speed/redis-store.js';
import { ping } from './redis-server.js';

const BIN = process.env['REDIS_SERVER_BIN'] ?? 'redis-server';
const CLI = process.env['REDIS_CLI_BIN'] ?? 'redis-cli';

export interface RedisCluster {
  readonly ports: readonly number[];
  /** Node URLs, as `--redis-cluster` takes them. */
  readonly urls: readonly string[];
  readonly dir: string;
  /** `redis-cli -p PORT ...` on one node (the harness does not use the client under test). */
  cli(port: number, ...args: string[]): string;
  /** SIGKILL one node (by PID). */
  kill(port: number): Promise<void>;
  /** Start a killed node again on its port and nodes file (it rejoins); resolves on cluster_state:ok everywhere. */
  restart(port: number): Promise<void>;
  /** Stop every node (SIGTERM, by PID) and remove the dir. */
  dispose(): Promise<void>;
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** A port P with P and its cluster bus port P + 10000 both free (so P stays below 55536). */
async function clusterPort(taken: Set<number>): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const p = 20000 + Math.floor(Math.random() * 30000);
    if (taken.has(p) || taken.has(p + 10000)) continue;
    if ((await portFree(p)) && (await portFree(p + 10000))) {
      taken.add(p);
      taken.add(p + 10000);
      return p;
    }
  }
  throw new Error('no free port pair for a cluster node');
}

export async function startRedisCluster(masters = 3): Promise<RedisCluster> {
  for (const [bin, what] of [[BIN, 'redis-server'], [CLI, 'redis-cli']] as const) {
    if (spawnSync(bin, ['--version']).error) throw new Error(`${what} not found (${bin}): the cluster tests need Redis 7 (apt-get install redis-server)`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'topo-cluster-'));
  const taken = new Set<number>();
  const ports: number[] = [];
  for (let i = 0; i < masters; i++) ports.push(await clusterPort(taken));
  const children = new Map<number, ChildProcess>();
  const logs = new Map<number, string>();
  const signal = (c: ChildProcess, sig: NodeJS.Signals): Promise<void> => new Promise<void>((r) => {
    if (c.exitCode !== null || c.signalCode !== null) return r();
    c.once('exit', () => r());
    process.kill(c.pid!, sig);
  });
  const dispose = async (): Promise<void> => {
    await Promise.all([...children.values()].map((c) => signal(c, 'SIGTERM')));
    rmSync(dir, { recursive: true, force: true });
  };
  const cli = (port: number, ...args: string[]): string => {
    const r = spawnSync(CLI, ['-h', '127.0.0.1', '-p', String(port), ...args], { encoding: 'utf8', timeout: 30_000 });
    if (r.status !== 0) throw new Error(`redis-cli -p ${port} ${args.join(' ')} failed: ${r.stderr}${r.stdout}`);
    return r.stdout;
  };
  const launch = (port: number): void => {
    const c = spawn(BIN, [
      '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no',
      '--cluster-enabled', 'yes', '--cluster-config-file', join(dir, `nodes-${port}.conf`), '--cluster-node-timeout', '5000',
      '--daemonize', 'no', '--protected-mode', 'yes',
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.set(port, c);
    logs.set(port, '');
    const keep = (d: Buffer): void => void logs.set(port, (logs.get(port)! + d.toString()).slice(-4000));
    c.stdout!.on('data', keep);
    c.stderr!.on('data', keep);
  };
  const answering = async (port: number): Promise<void> => {
    const deadline = Date.now() + 15_000;
    while (!(await ping(port))) {
      if (Date.now() > deadline) throw new Error(`cluster node ${port} did not answer PING:\n${logs.get(port)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  const allOk = async (): Promise<void> => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const states = ports.map((p) => /cluster_state:(\w+)/.exec(cli(p, 'cluster', 'info'))?.[1]);
      if (states.every((s) => s === 'ok')) return;
      if (Date.now() > deadline) throw new Error(`cluster not ok after 30 s: ${states.join(', ')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  try {
    for (const port of ports) launch(port);
    for (const port of ports) await answering(port);
    const create = spawnSync(CLI, ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'], { encoding: 'utf8', timeout: 60_000 });
    if (create.status !== 0) throw new Error(`redis-cli --cluster create failed:\n${create.stdout}${create.stderr}`);
    await allOk();
  } catch (err) {
    await dispose();
    throw err;
  }
  return {
    ports, urls: ports.map((p) => `redis://127.0.0.1:${p}`), dir, cli, dispose,
    kill: (port) => signal(children.get(port)!, 'SIGKILL'),
    restart: async (port) => {
      launch(port);
      await answering(port);
      await allOk();
    },
  };
}

/**
 * A test file's own cluster, a view store on it (namespace `namespace`) and a raw client,
 * started before the file's tests and removed after them. Read the fields inside tests.
 */
export function clusterWithStore(namespace: string): { cluster: RedisCluster; store: RedisViewStore; raw: Cluster } {
  const ctx = {} as { cluster: RedisCluster; store: RedisViewStore; raw: Cluster };
  beforeAll(async () => {
    ctx.cluster = await startRedisCluster();
    ctx.store = RedisViewStore.open({ cluster: ctx.cluster.urls }, { namespace });
    await ctx.store.ready();
    ctx.raw = new Cluster(ctx.cluster.ports.map((port) => ({ host: '127.0.0.1', port })));
  }, 120_000);
  afterAll(async () => {
    await ctx.store?.close();
    ctx.raw?.disconnect();
    await ctx.cluster?.dispose();
  });
  return ctx;
}
