/**
 * RESP for the batch writer: commands are encoded straight into one buffer (RespEncoder, in
 * the pool threads) and sent in large writes over a write-only connection (RespWriter),
 * whose replies are only counted and checked for errors. Why not ioredis here: for ~1.2 M
 * cells its Command objects, promises, per-argument string building and reply parsing were
 * ~4 s of a 1 M-event run's ~24 s of CPU (profiled), plus the garbage they left. Only
 * replies that are one line (+OK, :n, -ERR) or a bulk string are expected: MSET, ZADD,
 * PFADD, HSET, AUTH and SELECT all answer so.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { VersionTarget } from './target.js';

const LF = 0x0a;

/** Decimal digits of a non-negative integer. */
function digits(v: number): number {
  let d = 1;
  while (v >= 10) {
    v = Math.floor(v / 10);
    d++;
  }
  return d;
}

/** Encoded commands, as they cross from a pool thread to the thread that sends them. */
export interface EncodedCommands {
  readonly chunks: readonly Uint8Array[];
  readonly commands: number;
}

/** Commands encoded into a growing buffer; cut into chunks (copies) by `cut`, all taken by `take`. */
export class RespEncoder {
  protected buf = Buffer.allocUnsafe(1 << 20);
  protected pos = 0;
  /** Commands encoded so far (taken or not). */
  protected sent = 0;
  private chunks: Uint8Array[] = [];
  private taken = 0;

  /** Start a command of `args` arguments after its name; follow with exactly that many arg() calls. */
  command(name: string, args: number): this {
    this.sent++;
    this.ascii(`*${args + 1}\r\n$${name.length}\r\n${name}\r\n`);
    return this;
  }
  /**
   * One bulk-string argument. The string is encoded right after a header sized for its
   * length in chars, and moved only when its UTF-8 length has more digits: no byteLength
   * pass and no header string per argument (both showed in the profile).
   */
  arg(s: string): this {
    const chars = s.length;
    this.room(3 * chars + 16);
    const guess = digits(chars);
    const at = this.pos + guess + 3;
    const n = this.buf.write(s, at);
    const d = digits(n);
    if (d !== guess) this.buf.copyWithin(this.pos + d + 3, at, at + n);
    this.buf[this.pos++] = 0x24; // $
    this.int(n, d);
    this.buf[this.pos++] = 0x0d;
    this.buf[this.pos++] = LF;
    this.pos += n;
    this.buf[this.pos++] = 0x0d;
    this.buf[this.pos++] = LF;
    return this;
  }

  /** A number argument, written without a string when it is a safe non-negative integer. */
  num(v: number): this {
    if (!(Number.isSafeInteger(v) && v >= 0)) return this.arg(String(v));
    const d = digits(v);
    this.room(d * 2 + 8);
    this.buf[this.pos++] = 0x24;
    this.int(d, digits(d));
    this.buf[this.pos++] = 0x0d;
    this.buf[this.pos++] = LF;
    this.int(v, d);
    this.buf[this.pos++] = 0x0d;
    this.buf[this.pos++] = LF;
    return this;
  }

  /** The `d` decimal digits of the non-negative integer `v`. */
  private int(v: number, d: number): void {
    for (let i = this.pos + d - 1; i >= this.pos; i--) {
      this.buf[i] = 0x30 + (v % 10);
      v = Math.floor(v / 10);
    }
    this.pos += d;
  }

  /** Bytes buffered and not yet cut or sent. */
  get buffered(): number {
    return this.pos;
  }

  /** Move what is buffered into a chunk of its own (a copy: the buffer is reused). */
  cut(): void {
    if (this.pos === 0) return;
    this.chunks.push(Buffer.from(this.buf.subarray(0, this.pos)));
    this.pos = 0;
  }

  /** Every command encoded since the last take. */
  take(): EncodedCommands {
    this.cut();
    const out = { chunks: this.chunks, commands: this.sent - this.taken };
    this.chunks = [];
    this.taken = this.sent;
    return out;
  }

  protected ascii(s: string): void {
    this.room(s.length);
    this.pos += this.buf.write(s, this.pos, 'latin1');
  }

  protected room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
  }
}

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
