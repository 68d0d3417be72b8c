import { describe, expect, it } from 'vitest';
import { Worker } from 'node:worker_threads';
import { buildSync } from 'esbuild';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { RingChannel } from '../../src/runtime/transport/ring.js';

const frame = (n: number, len: number): Uint8Array => Uint8Array.from({ length: len }, (_, i) => (n + i) & 0xff);

function drainAll(ring: RingChannel): Uint8Array[] {
  const out: Uint8Array[] = [];
  // The views alias the ring, so keep copies.
  ring.drain((f) => out.push(f.slice()));
  return out;
}

describe('RingChannel', () => {
  it('rounds capacity up to a power of two and starts empty', () => {
    const ring = RingChannel.create(1000);
    expect(ring.capacity).toBe(1024);
    expect(ring.bytesUsed()).toBe(0);
    expect(ring.drain(() => {})).toBe(0);
  });

  it('delivers frames in order, including empty and unaligned ones', () => {
    const ring = RingChannel.create(256);
    const sent = [frame(1, 0), frame(2, 1), frame(3, 7), frame(4, 12)];
    for (const f of sent) expect(ring.trySend(f)).toBe(true);
    expect(ring.bytesUsed()).toBe(4 + 8 + 12 + 16); // 4-byte prefix + payload padded to 4
    expect(drainAll(ring)).toEqual(sent);
    expect(ring.bytesUsed()).toBe(0);
  });

  it('returns false when full and accepts again after a drain', () => {
    const ring = RingChannel.create(64);
    expect(ring.trySend(frame(0, 28))).toBe(true); // 32-byte record = maxFrame
    expect(ring.trySend(frame(1, 28))).toBe(true);
    expect(ring.trySend(frame(2, 1))).toBe(false);
    expect(ring.drain(() => {}, 1)).toBe(1);
    expect(ring.trySend(frame(3, 20))).toBe(true);
    expect(drainAll(ring)).toEqual([frame(1, 28), frame(3, 20)]);
  });

  it('rejects frames that could never fit', () => {
    const ring = RingChannel.create(64);
    expect(() => ring.trySend(new Uint8Array(ring.maxFrame + 1))).toThrow(RangeError);
  });

  it('wraps around the end of the buffer without splitting frames', () => {
    const ring = RingChannel.create(64);
    const got: Uint8Array[] = [];
    // 20-byte records against a 64-byte ring force a wrap marker every few frames.
    for (let i = 0; i < 200; i++) {
      const f = frame(i, 13 + (i % 4));
      expect(ring.trySend(f)).toBe(true);
      ring.drain((v) => got.push(v.slice()));
      expect(got[i]).toEqual(f);
    }
    expect(ring.bytesUsed()).toBe(0);
  });

  it('keeps many frames in order through repeated fill/drain cycles', () => {
    const ring = RingChannel.create(4096);
    let next = 0;
    let expected = 0;
    let bad = 0;
    while (expected < 10_000) {
      while (next < 10_000 && ring.trySend(frame(next, next % 50))) next++;
      ring.drain((f) => {
        const want = frame(expected, expected % 50);
        if (f.length !== want.length || f.some((b, i) => b !== want[i])) bad++;
        expected++;
      }, 37);
    }
    expect(bad).toBe(0);
  });

  it('resolves waitForData on send and on close', async () => {
    const ring = RingChannel.create(64);
    const waiting = ring.waitForData();
    setTimeout(() => ring.trySend(frame(9, 3)), 5);
    await waiting;
    expect(drainAll(ring)).toEqual([frame(9, 3)]);
    const closed = ring.waitForData();
    ring.close();
    await closed;
    expect(ring.isClosed()).toBe(true);
  });

  it('moves frames between threads with backpressure in both directions', async () => {
    // Node cannot run the .ts source in a worker; bundle the producer on the fly.
    const here = path.dirname(fileURLToPath(import.meta.url));
    const producer = buildSync({
      stdin: {
        resolveDir: here,
        loader: 'ts',
        contents: `
          import { workerData } from 'node:worker_threads';
          import { RingChannel } from '../../src/runtime/transport/ring.ts';
          const ring = RingChannel.fromShared(workerData.shared);
          (async () => {
            for (let i = 0; i < workerData.count; i++) {
              const f = Uint8Array.from({ length: i % 300 }, (_, j) => (i + j) & 0xff);
              while (!ring.trySend(f)) await ring.waitForSpace();
            }
            ring.close();
          })();`,
      },
      bundle: true,
      platform: 'node',
      format: 'cjs',
      write: false,
    }).outputFiles[0]!.text;
    const ring = RingChannel.create(2048); // small, so the producer must park
    const count = 20_000;
    const worker = new Worker(producer, { eval: true, workerData: { shared: ring.shared, count } });
    let n = 0;
    let bad = 0;
    for (;;) {
      ring.drain((f) => {
        if (f.length !== n % 300 || (f.length > 0 && f[0] !== (n & 0xff))) bad++;
        n++;
      });
      if (ring.isClosed() && ring.bytesUsed() === 0) break;
      await ring.waitForData();
    }
    await worker.terminate();
    expect(bad).toBe(0);
    expect(n).toBe(count);
  }, 20_000);
});
