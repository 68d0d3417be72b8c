/**
 * A real redis-server for tests: a free loopback port, a fresh temp dir, optional AOF.
 * Never a mock: tests of Redis behaviour need Redis's own semantics (scripts, HyperLogLog,
 * expiry, AOF replay after a SIGKILL). When the binary is missing, `startRedis` throws a
 * message saying so, and the test fails rather than being skipped.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RedisServerOptions {
  /** Append-only file persistence; default off. */
  readonly aof?: boolean;
  /** AOF fsync policy when `aof` is on; default 'always' (the durability tests need it). */
  readonly appendfsync?: 'always' | 'everysec' | 'no';
  /** More redis-server arguments (e.g. `['--requirepass', 'pw']`). */
  readonly args?: readonly string[];
  /**
   * Serve TLS only (`--port 0 --tls-port <free port>`) with these PEM files. `authClients`
   * makes the server require a client certificate signed by `ca` (`--tls-auth-clients yes`);
   * it is the certificate the harness's own PING presents.
   */
  readonly tls?: {
    readonly cert: string;
    readonly key: string;
    readonly ca: string;
    readonly authClients?: { readonly cert: string; readonly key: string };
  };
}

export interface RedisServer {
  readonly port: number;
  readonly dir: string;
  /** `redis://127.0.0.1:<port>`, or `rediss://...` with `tls`. */
  readonly url: string;
  /** Shut down gracefully (SIGTERM) and wait for the exit. */
  stop(): Promise<void>;
  /** SIGKILL: no shutdown, no final fsync. */
  kill(): Promise<void>;
  /** Start again on the same port and dir (the AOF, if any, is replayed). */
  restart(): Promise<void>;
  /** Stop and remove the dir. */
  dispose(): Promise<void>;
}

const BIN = process.env['REDIS_SERVER_BIN'] ?? 'redis-server';

/** A port the OS says is free on 127.0.0.1 now (bind port 0, read it, release it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Send PING over a raw socket; true on +PONG. Raw so the harness does not depend on the client under test. */
export function ping(port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ port, host: '127.0.0.1' });
    const done = (ok: boolean): void => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('error', () => done(false));
    s.once('connect', () => s.write('PING\r\n'));
    // A server with a password answers -NOAUTH: it is up all the same.
    s.once('data', (d) => done(d.toString().startsWith('+PONG') || d.toString().startsWith('-NOAUTH')));
  });
}

/** PING over TLS (the certificate is not checked here: the harness only asks "is it up"). */
function tlsPing(port: number, tls: NonNullable<RedisServerOptions['tls']>, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const s = tlsConnect({ port, host: '127.0.0.1', rejectUnauthorized: false,
      ...(tls.authClients ? { cert: readFileSync(tls.authClients.cert), key: readFileSync(tls.authClients.key) } : {}) });
    const done = (ok: boolean): void => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('error', () => done(false));
    s.once('secureConnect', () => s.write('PING\r\n'));
    s.once('data', (d) => done(d.toString().startsWith('+PONG') || d.toString().startsWith('-NOAUTH')));
  });
}

export async function startRedis(options: RedisServerOptions = {}): Promise<RedisServer> {
  if (spawnSync(BIN, ['--version']).error) {
    throw new Error(`redis-server not found (${BIN}): these tests need a real Redis 7; install redis-server or set REDIS_SERVER_BIN`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'topo-redis-'));
  const port = await freePort();
  const tls = options.tls;
  const args = ['--port', tls ? '0' : String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--daemonize', 'no', '--protected-mode', 'yes'];
  if (options.aof) args.push('--appendonly', 'yes', '--appendfsync', options.appendfsync ?? 'always');
  else args.push('--appendonly', 'no');
  if (tls) {
    args.push('--tls-port', String(port), '--tls-cert-file', tls.cert, '--tls-key-file', tls.key, '--tls-ca-cert-file', tls.ca,
      '--tls-auth-clients', tls.authClients ? 'yes' : 'no');
  }
  args.push(...(options.args ?? []));
  const up = (): Promise<boolean> => (tls ? tlsPing(port, tls) : ping(port));
  let child: ChildProcess | null = null;
  let log = '';

  const launch = async (): Promise<void> => {
    const c = spawn(BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = c;
    c.stdout!.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
    c.stderr!.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (c.exitCode !== null) break;
      if (await up()) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    c.kill('SIGKILL');
    throw new Error(`redis-server on port ${port} did not answer PING:\n${log}`);
  };

  const signal = async (sig: NodeJS.Signals): Promise<void> => {
    const c = child;
    child = null;
    if (c === null || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise<void>((r) => c.once('exit', () => r()));
    c.kill(sig);
    await exited;
  };

  await launch();
  return {
    port,
    dir,
    url: `${tls ? 'rediss' : 'redis'}://127.0.0.1:${port}`,
    stop: () => signal('SIGTERM'),
    kill: () => signal('SIGKILL'),
    restart: async () => {
      await signal('SIGTERM');
      await launch();
    },
    dispose: async () => {
      await signal('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
