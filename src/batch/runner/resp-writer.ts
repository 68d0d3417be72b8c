/**
 * The batch writer's write-only Redis connection: commands encoded on it (it is a RespEncoder,
 * resp-encoder.ts) or in a pool thread are sent in large writes, and replies are only counted
 * and checked for errors. Only replies that are one line (+OK, :n, -ERR) or a bulk string are
 * expected: MSET, ZADD, PFADD, HSET, AUTH and SELECT all answer so.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { VersionTarget } from './target.js';
import { RespEncoder, type EncodedCommands } from './resp-encoder.js';

const LF = 0x0a;

/**
 * A write-only connection: commands encoded on it (it is an encoder too) or elsewhere
 * (`sendEncoded`) are written to the socket, and replies counted.
 */
export class RespWriter extends RespEncoder {
  /** Replies read, and commands written up to the last send. */
  private replied = 0;
  private mark = 0;
  private error: Error | null = null;
  private rest: Buffer | null = null;
  private waiter: { until: number; resolve: () => void; reject: (e: Error) => void } | null = null;

  private constructor(private readonly socket: Socket) {
    super();
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('error', (e) => this.fail(e));
    socket.on('close', () => this.fail(new Error('Redis connection closed before every reply of the batch write arrived')));
  }

  /** Connect to the target's Redis, authenticating and selecting its database (in the first write). */
  static open(t: VersionTarget['redis']): RespWriter {
    const host = t.host ?? '127.0.0.1';
    const port = t.port ?? 6379;
    const socket = t.tls ? tlsConnect({ host, port, ...t.tls }) : netConnect({ host, port });
    socket.setNoDelay(true);
    const w = new RespWriter(socket);
    if (t.password) {
      if (t.username) w.command('AUTH', 2).arg(t.username);
      else w.command('AUTH', 1);
      w.arg(t.password);
    }
    if (t.db) w.command('SELECT', 1).arg(String(t.db));
    return w;
  }

  /**
   * Write commands another encoder made (a pool thread's), after what this one buffered;
   * their replies are awaited by `end`. Never waits: the caller's thread keeps working.
   */
  sendEncoded(e: EncodedCommands): void {
    if (this.pos > 0) this.flush();
    for (const c of e.chunks) this.socket.write(c);
    this.sent += e.commands;
  }

  /**
   * Send what is buffered. Resolves once every command of the sends before this one is
   * answered: one chunk travels and runs in Redis while the caller encodes the next.
   */
  send(): Promise<void> {
    if (this.pos > 0) this.flush();
    const until = this.mark;
    this.mark = this.sent;
    return this.wait(until);
  }

  /** Send the rest, wait for every reply, close; throws the first error reply (or socket error). */
  async end(): Promise<void> {
    try {
      await this.send();
      await this.wait(this.sent);
    } finally {
      this.socket.destroy();
    }
  }

  /** On a connection a cut is sent at once. */
  override cut(): void {
    if (this.pos > 0) this.flush();
  }

  private flush(): void {
    // A copy: the buffer is reused at once, and the socket may still hold this chunk.
    this.socket.write(Buffer.from(this.buf.subarray(0, this.pos)));
    this.pos = 0;
  }

  /** Drop the connection (a failed write: nothing more is sent). */
  destroy(): void {
    this.socket.destroy();
  }

  private wait(until: number): Promise<void> {
    if (this.error) return Promise.reject(this.error);
    if (this.replied >= until) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.waiter = { until, resolve, reject };
    });
  }

  private fail(e: Error): void {
    if (this.error === null) this.error = e;
    const w = this.waiter;
    this.waiter = null;
    w?.reject(this.error);
  }

  /** Count whole replies; the first error reply fails the writer. */
  private onData(d: Buffer): void {
    const b = this.rest === null ? d : Buffer.concat([this.rest, d]);
    let at = 0;
    for (;;) {
      const nl = b.indexOf(LF, at);
      if (nl < 0) break;
      const type = b[at];
      let next = nl + 1;
      if (type === 0x24 /* $ */) {
        const len = Number(b.toString('latin1', at + 1, nl - 1));
        if (len >= 0) {
          next = nl + 1 + len + 2;
          if (next > b.length) break;
        }
      } else if (type === 0x2d /* - */) {
        this.fail(new Error(`Redis refused a batch write: ${b.toString('utf8', at + 1, nl - 1)}`));
      } else if (type !== 0x2b /* + */ && type !== 0x3a /* : */) {
        this.fail(new Error(`unexpected Redis reply type '${String.fromCharCode(type ?? 0)}' to a batch write`));
        return;
      }
      this.replied++;
      at = next;
    }
    this.rest = at < b.length ? b.subarray(at) : null;
    const w = this.waiter;
    if (w !== null && this.replied >= w.until) {
      this.waiter = null;
      w.resolve();
    }
  }
}
