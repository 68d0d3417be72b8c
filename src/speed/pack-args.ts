/**
 * A flush's script arguments as ONE msgpack value `[keys, argv]` (arrays of strings), which
 * the apply script decodes with Redis's built-in cmsgpack (see apply-lua.ts). A flush has
 * ~15 strings per cell: sent as separate arguments, the client's per-argument work was the
 * writer's largest cost after GC, and a general msgpack encoder cost as much again.
 *
 * The fast path writes the msgpack bytes as a JS string and converts it once with 'latin1'
 * (one byte per char): exact when every string is ASCII, so a header's length in chars is
 * its length in bytes. Anything else (a non-ASCII URL, member or id) goes through msgpackr.
 */
import { Packr } from 'msgpackr';

/** Plain msgpack (no record extension): Redis's cmsgpack decodes it. */
const packr = new Packr({ useRecords: false });
const NON_ASCII = /[^\x00-\x7f]/;
const chr = String.fromCharCode;

function u16(n: number): string {
  return chr(n >>> 8, n & 0xff);
}

function u32(n: number): string {
  return chr(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
}

function strHeader(len: number): string {
  if (len < 32) return chr(0xa0 | len); // fixstr
  if (len < 0x10000) return '\xda' + u16(len); // str16 (str8 is newer than some cmsgpack builds)
  return '\xdb' + u32(len);
}

function appendArray(out: string, list: readonly string[]): string {
  out += '\xdd' + u32(list.length); // array32
  for (let i = 0; i < list.length; i++) {
    const s = list[i]!;
    out += strHeader(s.length) + s;
  }
  return out;
}

/** msgpack of `[keys, argv]`. */
export function packArgs(keys: readonly string[], argv: readonly string[]): Buffer {
  const text = appendArray(appendArray('\x92', keys), argv);
  // Headers are below 0x100 by construction; only the strings can hold other chars.
  if (!NON_ASCII.test(keysAndArgv(keys, argv))) return Buffer.from(text, 'latin1');
  return packr.pack([keys, argv]);
}

// The strings alone (headers hold bytes >= 0x80 legitimately): tested for non-ASCII.
function keysAndArgv(keys: readonly string[], argv: readonly string[]): string {
  let s = '';
  for (let i = 0; i < keys.length; i++) s += keys[i]!;
  for (let i = 0; i < argv.length; i++) s += argv[i]!;
  return s;
}
