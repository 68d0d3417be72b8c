/**
 * Binding the dashboard (and `topo serve`): 127.0.0.1 unless the user names another host,
 * the URL to print, the warning for a non-loopback address (there is no authentication),
 * and a stop that lets requests in flight finish before cutting what is left.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isIP, type AddressInfo } from 'node:net';

/** True for addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1') return true;
  return isIP(h) === 4 ? h.startsWith('127.') : /^::ffff:127\./.test(h);
}

export function urlOf(addr: AddressInfo): string {
  return `http://${addr.family === 'IPv6' || addr.address.includes(':') ? `[${addr.address}]` : addr.address}:${addr.port}`;
}

export function noAuthWarning(host: string, what: string): string {
  return `warning: bound to ${host}, not loopback: the ${what} has no authentication, anyone who can reach this port reads every view`;
}

export class ListenError extends Error {}

export interface Listening {
  readonly server: Server;
  /** e.g. http://127.0.0.1:40123 */
  readonly url: string;
  /** Stop accepting; requests in flight get `drainMs` to finish, then connections are cut. */
  close(drainMs?: number): Promise<void>;
}

export async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void, host: string, port: number): Promise<Listening> {
  const server = createServer(handler);
  await new Promise<void>((resolve, reject) => {
    const fail = (err: Error): void => reject(new ListenError(`cannot listen on ${host}:${port}: ${err.message}`));
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      resolve();
    });
  });
  return {
    server,
    url: urlOf(server.address() as AddressInfo),
    close: async (drainMs = 5000) => {
      const cut = setTimeout(() => server.closeAllConnections(), drainMs);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      clearTimeout(cut);
    },
  };
}
