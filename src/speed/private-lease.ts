/**
 * A command's hold on the private redis-server: one idle TCP connection, open from the moment
 * the command picks the server until it releases it (or exits).
 *
 * Why: the keeper stops the server once no client has been connected for its idle time
 * (redis-keeper.ts). A command that found the server answering PING, then spent a second
 * starting worker threads before their writers connected, could see it stopped in between and
 * fail with ECONNREFUSED. The keeper counts this connection as a client, so the server stays
 * up while the command is alive; the server file is read again after the connection is open,
 * because a keeper that had already decided to stop removes the file first (then a new server
 * is started through the usual path).
 */
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { findPrivateRedis, privateRedisDir, readServerFile, startPrivateRedis, type PrivateRedis } from './private-redis.js';

export interface PrivateRedisLease {
  readonly server: PrivateRedis;
  /** Closes the hold; the keeper's idle clock starts once no other client is connected. */
  release(): void;
}

const ATTEMPTS = 5;

/** The private server of `cwd` (`known`, else the running one, else one started now), held up until `release()`. */
export async function leasePrivateRedis(cwd: string, bin = 'redis-server', known: PrivateRedis | null = null): Promise<PrivateRedisLease> {
  const file = join(privateRedisDir(cwd), 'server.json');
  let lastError: unknown = null;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const found = attempt === 0 && known !== null ? known : await findPrivateRedis(cwd);
    const server = found ?? (await startPrivateRedis(cwd, bin));
    const socket = await hold(server.port).catch((err: unknown) => {
      lastError = err;
      return null;
    });
    const now = readServerFile(file);
    if (socket !== null && now !== null && now.pid === server.pid && now.port === server.port) {
      return { server, release: () => void socket.destroy() };
    }
    socket?.destroy();
  }
  throw new Error(`private redis-server (data in ${privateRedisDir(cwd)}) kept stopping while this command connected${lastError ? `: ${(lastError as Error).message}` : ''}`);
}

function hold(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ port, host: '127.0.0.1' });
    s.once('connect', () => {
      s.off('error', reject);
      // Errors after this (the server stopped under it) end the hold, nothing more.
      s.on('error', () => {});
      // The hold never keeps the process alive: exiting closes it.
      s.unref();
      resolve(s);
    });
    s.once('error', reject);
  });
}
