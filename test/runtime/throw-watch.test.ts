// ThrowWatch (src/runtime/worker/throw-watch.ts): a spout's nextTuple that throws on every call
// for the limit ends the run, once; a call that returns normally starts the count again.
import { describe, expect, it } from 'vitest';
import { ThrowWatch } from '../../src/runtime/worker/throw-watch.js';

const boom = new Error('source unavailable');

describe('ThrowWatch', () => {
  it('fires once, when every call for the limit threw', () => {
    const w = new ThrowWatch(5000);
    expect(w.threw(boom, false, 1000)).toBeNull();
    expect(w.threw(boom, false, 5999)).toBeNull();
    const e = w.threw(boom, false, 6000);
    expect(e?.message).toBe('nextTuple threw on every call for 5 s (3 calls); last error: Error: source unavailable');
    expect(w.threw(boom, false, 9000)).toBeNull();
  });

  it('a round that returned normally, or a call before the throw that did, starts again', () => {
    const w = new ThrowWatch(5000);
    w.threw(boom, false, 0);
    w.returned();
    expect(w.threw(boom, false, 5000)).toBeNull();
    expect(w.threw(boom, true, 9999)).toBeNull();
    expect(w.threw(boom, false, 14_998)).toBeNull();
    expect(w.threw(boom, false, 14_999)).not.toBeNull();
  });
});
