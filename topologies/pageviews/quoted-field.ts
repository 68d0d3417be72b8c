/**
 * Reading a double-quoted field of an Apache log line (%r, Referer, User-Agent).
 *
 * Apache (2.0.46 and later, ap_escape_logitem) escapes these fields: `"` and `\` get a
 * backslash, `\b \n \r \t \v` stand for those control characters, and any other
 * non-printable byte is written as `\xhh`. Reading undoes exactly that. A run of `\xhh` is
 * raw bytes the client sent: when they are valid UTF-8 they are decoded, because a path
 * sent as raw UTF-8 then becomes, through the URL parser, the same page as the one a
 * browser sends percent-encoded. When they are not (the shipped log has cp1251 referrers,
 * lines 5851-5860) the escapes are kept as written: the encoding is unknown, and replacing
 * the bytes with U+FFFD would lose the fact. An unknown escape is kept as written too.
 */

/** A quoted field: its unescaped value and where the scan stopped. */
export interface QuotedField {
  /** The text with escapes undone; for an unclosed field, what there is up to the end. */
  readonly value: string;
  /** Index just after the closing quote, or the string's length when there is none. */
  readonly end: number;
  /** False when the line ended before the closing quote (a cut-off line). */
  readonly closed: boolean;
}

const SIMPLE: Readonly<Record<string, string>> = {
  '"': '"', '\\': '\\', b: '\b', n: '\n', r: '\r', t: '\t', v: '\v',
};

const utf8 = new TextDecoder('utf-8', { fatal: true });

function hexByte(s: string, i: number): number {
  // Exactly two hex digits after `\x`; anything else is not an escape Apache writes.
  if (i + 2 > s.length) return -1;
  const h = s.slice(i, i + 2);
  return /^[0-9a-fA-F]{2}$/.test(h) ? parseInt(h, 16) : -1;
}

/**
 * Reads the quoted field whose text starts at `start` (just after the opening quote).
 * Never throws.
 */
export function readQuoted(s: string, start: number): QuotedField {
  let out = '';
  let bytes: number[] = [];
  let runStart = -1; // where the current run of \xhh escapes began in `s`
  let runEnd = -1;
  const flush = (): void => {
    if (bytes.length === 0) return;
    try {
      out += utf8.decode(Uint8Array.from(bytes));
    } catch {
      out += s.slice(runStart, runEnd);
    }
    bytes = [];
  };
  let i = start;
  while (i < s.length) {
    const c = s[i]!;
    if (c === '"') {
      flush();
      return { value: out, end: i + 1, closed: true };
    }
    if (c === '\\' && i + 1 < s.length) {
      const e = s[i + 1]!;
      if (e === 'x') {
        const b = hexByte(s, i + 2);
        if (b >= 0) {
          if (bytes.length === 0) runStart = i;
          bytes.push(b);
          i += 4;
          runEnd = i;
          continue;
        }
      }
      flush();
      const simple = SIMPLE[e];
      out += simple ?? c + e;
      i += 2;
      continue;
    }
    // Plain text up to the next quote or backslash, copied as one slice (the common case).
    // A lone backslash at the very end of a cut-off line is kept as text.
    flush();
    let j = i + 1;
    while (j < s.length && s[j] !== '"' && s[j] !== '\\') j++;
    out += s.slice(i, j);
    i = j;
  }
  flush();
  return { value: out, end: s.length, closed: false };
}
