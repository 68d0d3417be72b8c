/**
 * Why a rediss:// connection fails, asked of a raw TLS socket. A server that requires a
 * client certificate (`tls-auth-clients yes`) and got none, or one it does not trust, sends
 * its TLS alert after the TLS 1.3 handshake has completed on the client's side; ioredis has
 * written its first command by then and reports only `write ECONNRESET`, which looks like an
 * outage and would be retried. This socket completes the handshake, sends PING and waits for
 * the reply, so the alert arrives as the error it is (ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED).
 */
import { connect } from 'node:tls';
import type { RedisOptions } from 'ioredis';

/** The error the handshake or the first reply ends with, or null when the server answers (or says nothing useful). */
export function probeTls(o: RedisOptions, timeoutMs: number): Promise<Error | null> {
  return new Promise((resolve) => {
    const socket = connect({ ...(o.tls ?? {}), host: o.host ?? '127.0.0.1', port: o.port ?? 6379 });
    let settled = false;
    const done = (err: Error | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(err);
    };
    const timer = setTimeout(() => done(null), timeoutMs);
    timer.unref();
    socket.once('secureConnect', () => socket.write('PING\r\n'));
    // Any reply (+PONG, -NOAUTH) means TLS is fine: what else fails is for the Redis client to say.
    socket.once('data', () => done(null));
    socket.once('error', (err) => done(err));
    socket.once('close', () => done(null));
  });
}
