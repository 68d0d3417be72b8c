/**
 * Redis Cluster's key slot: CRC16 (XMODEM) of the key's hash tag (the part between the first
 * `{` and the next `}`, when not empty) or of the whole key, modulo 16384. Computed here so a
 * flush can be grouped by slot before anything is sent (one script call per slot), without
 * importing ioredis's internal dependency.
 */

const TABLE = new Uint16Array(256);
for (let i = 0; i < 256; i++) {
  let c = i << 8;
  for (let j = 0; j < 8; j++) c = c & 0x8000 ? ((c << 1) ^ 0x1021) & 0xffff : (c << 1) & 0xffff;
  TABLE[i] = c;
}

function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const b of bytes) crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ b) & 0xff]!;
  return crc;
}

const encoder = new TextEncoder();

/** The cluster slot (0..16383) of a key, by Redis's hash-tag rule. */
export function keySlot(key: string): number {
  let part = key;
  const open = key.indexOf('{');
  if (open >= 0) {
    const close = key.indexOf('}', open + 1);
    if (close > open + 1) part = key.slice(open + 1, close);
  }
  return crc16(encoder.encode(part)) % 16384;
}
