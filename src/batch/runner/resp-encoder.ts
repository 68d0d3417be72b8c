/**
 * RESP commands of the batch writer, encoded straight into one buffer (in the pool threads),
 * cut into chunks that cross to the thread that sends them (resp-writer.ts). Why not ioredis
 * here: for ~1.2 M cells its Command objects, promises, per-argument string building and reply
 * parsing were ~4 s of a 1 M-event run's ~24 s of CPU (profiled), plus the garbage they left.
 */
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
