/**
 * The keeper of the private redis-server (see private-redis.ts): a small detached process,
 * one per data folder, that starts redis-server on that folder, keeps it up for the commands
 * that come after the one that started it (so `topo query` no longer restarts Redis and
 * replays its whole append-only file each time), restarts it on the same data if it crashes,
 * and shuts it down once no client has been connected for `idleMs`.
 *
 *   node redis-keeper.js <dataDir> <redis-server bin> <idleMs>
 *
 * Never two servers on one folder: the keeper holds `keeper.lock` (created exclusively, with
 * its pid) for its whole life; a second keeper finding a live holder waits for it to finish
 * shutting down or, when a server already answers, leaves. `server.json` names the live
 * server ({ pid, port, keeper }) and exists only while it serves: it is removed before an idle
 * shutdown, and the shutdown is called off if a client connected meanwhile.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, closeSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort, isAlive, readServerFile } from './private-redis.js';
import { waitForRedis } from './wait-redis.js';

const [dir = '', bin = 'redis-server', idleArg = '1800000'] = process.argv.slice(2);
const idleMs = Math.max(1000, Number(idleArg) || 1_800_000);
const lockFile = join(dir, 'keeper.lock');
const serverFile = join(dir, 'server.json');
const log = (s: string): void => appendFileSync(join(dir, 'keeper.log'), `${new Date().toISOString()} [${process.pid}] ${s}\n`);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Takes the folder's lock, waiting out a keeper that is shutting down; false: another keeper serves. */
async function lock(): Promise<boolean> {
  for (let tries = 0; tries < 400; tries++) {
    try {
      const fd = openSync(lockFile, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = Number(readFileSync(lockFile, 'utf8').trim());
    if (!isAlive(holder)) rmSync(lockFile, { force: true }); // a keeper that died: its lock is stale
    else if (readServerFile(serverFile) !== null) return false; // it serves: nothing to do
    else await sleep(25); // it is shutting down
  }
  throw new Error(`keeper.lock held by a live process for 10 s without a server: ${lockFile}`);
}

function writeServer(pid: number, port: number): void {
  const tmp = `${serverFile}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify({ pid, port, keeper: process.pid })}\n`);
  renameSync(tmp, serverFile);
}

let child: ChildProcess | null = null;
let stopping = false;
let stopped: Promise<void> | null = null;

async function startServer(): Promise<{ child: ChildProcess; port: number }> {
  const port = await freePort();
  const c = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '', '--daemonize', 'no'], { stdio: 'ignore' });
  const exited = new Promise<boolean>((r) => c.once('exit', () => r(false)));
  const up = await Promise.race([waitForRedis(`redis://127.0.0.1:${port}`, 60_000).then(() => true), exited]);
  if (!up || c.pid === undefined) throw new Error(`redis-server did not start on port ${port} (data in ${dir})`);
  return { child: c, port };
}

/** Connected clients other than the keeper's own connection. */
async function clients(r: Redis): Promise<number> {
  const info = await r.info('clients');
  return Math.max(0, Number(/connected_clients:(\d+)/.exec(info)?.[1] ?? '1') - 1);
}

async function serve(): Promise<void> {
  let deaths: number[] = [];
  for (;;) {
    const s = await startServer();
    child = s.child;
    writeServer(s.child.pid!, s.port);
    log(`redis-server ${s.child.pid} serving on 127.0.0.1:${s.port}, stops after ${idleMs} ms without clients`);
    const died = new Promise<void>((r) => s.child.once('exit', () => r()));
    const r = new Redis({ port: s.port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
    r.on('error', () => {});
    await r.connect().catch(() => {});
    let idleSince = Date.now();
    let gone = false;
    void died.then(() => (gone = true));
    const every = Math.min(5000, Math.max(200, Math.floor(idleMs / 5)));
    while (!gone && !stopping) {
      await Promise.race([sleep(every), died]);
      if (gone || stopping) break;
      const n = await clients(r).catch(() => -1);
      if (n !== 0) idleSince = Date.now();
      else if (Date.now() - idleSince >= idleMs) {
        // New commands must not pick this server any more; one that already did shows up as a client.
        rmSync(serverFile, { force: true });
        if ((await clients(r).catch(() => 0)) === 0) return void (await shutdown(r, 'idle'));
        writeServer(s.child.pid!, s.port);
        idleSince = Date.now();
      }
    }
    r.disconnect();
    if (stopping) return;
    deaths = deaths.filter((t) => Date.now() - t < 60_000).concat(Date.now());
    rmSync(serverFile, { force: true });
    if (deaths.length >= 5) throw new Error('redis-server died 5 times within a minute');
    log(`redis-server ${s.child.pid} exited unexpectedly: restarting it on the same data`);
  }
}

/** Stops the server once (later calls get the same promise). */
function shutdown(r: Redis | null, why: string): Promise<void> {
  stopped ??= stopServer(r, why);
  return stopped;
}

async function stopServer(r: Redis | null, why: string): Promise<void> {
  stopping = true;
  rmSync(serverFile, { force: true });
  const c = child;
  if (c !== null && c.exitCode === null) {
    const exited = new Promise<void>((res) => c.once('exit', () => res()));
    // SIGTERM: redis-server fsyncs its AOF and exits.
    c.kill('SIGTERM');
    await Promise.race([exited, sleep(10_000)]);
    if (c.exitCode === null) c.kill('SIGKILL');
  }
  r?.disconnect();
  log(`stopped (${why})`);
}

async function main(): Promise<void> {
  if (!(await lock())) return;
  const onSignal = (): void => void shutdown(null, 'asked').then(() => done(0));
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  try {
    await serve();
    await stopped; // a signal's shutdown: the server has exited before the lock goes
    done(0);
  } catch (err) {
    log(`failed: ${err instanceof Error ? err.message : String(err)}`);
    await shutdown(null, 'failure');
    done(1);
  }
}

function done(code: number): never {
  rmSync(serverFile, { force: true });
  rmSync(lockFile, { force: true });
  process.exit(code);
}

void main();
