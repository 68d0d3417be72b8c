/**
 * Reads a user's `WindowOptions` into the plain-data `WindowSpec` the plan carries. Never
 * throws: `windowed()` does not know the component id, so shape problems are recorded in
 * the spec and reported by the build (validate-windows.ts) with the component named.
 */
import type { WindowOptions, WindowSpec } from '../api/windowed.js';

const num = (v: unknown): number => (typeof v === 'number' ? v : Number.NaN);

/** Length and slide from `tumbling` / `sliding`, with the problems of their shape. */
function sizeOf(o: WindowOptions, problems: string[]): Pick<WindowSpec, 'by' | 'length' | 'slide'> {
  const t = o.tumbling as Record<string, unknown> | undefined;
  const s = o.sliding as Record<string, unknown> | undefined;
  if ((t === undefined) === (s === undefined)) {
    problems.push('window options need exactly one of tumbling and sliding');
    return { by: 'invalid', length: Number.NaN, slide: Number.NaN };
  }
  if (t !== undefined) {
    if (typeof t !== 'object' || t === null) problems.push('window tumbling must be { count } or { durationMs }');
    else if ('count' in t) return { by: 'count', length: num(t.count), slide: num(t.count) };
    else if ('durationMs' in t) return { by: 'time', length: num(t.durationMs), slide: num(t.durationMs) };
    else problems.push('window tumbling must be { count } or { durationMs }');
    return { by: 'invalid', length: Number.NaN, slide: Number.NaN };
  }
  if (typeof s === 'object' && s !== null) {
    if ('count' in s) return { by: 'count', length: num(s.count), slide: num(s.every) };
    if ('durationMs' in s) return { by: 'time', length: num(s.durationMs), slide: num(s.everyMs) };
  }
  problems.push('window sliding must be { count, every } or { durationMs, everyMs }');
  return { by: 'invalid', length: Number.NaN, slide: Number.NaN };
}

/** Default evaluation interval: a tenth of the slide, kept within 10 ms .. 1 s. */
export function defaultInterval(slideMs: number): number {
  if (!(slideMs > 0)) return 1000;
  return Math.min(1000, Math.max(10, Math.floor(slideMs / 10)));
}

export function toWindowSpec(options: WindowOptions): WindowSpec {
  const problems: string[] = [];
  const o = (typeof options === 'object' && options !== null ? options : {}) as WindowOptions;
  if (o !== options) problems.push('window options must be an object');
  const size = sizeOf(o, problems);
  if (o.timestamp !== undefined && typeof o.timestamp !== 'function') problems.push('window timestamp must be a function (tuple) => number');
  if (o.timestamp !== undefined && o.timestampField !== undefined) problems.push('window options give both timestampField and timestamp; use one');
  const eventTime = o.timestampField !== undefined || o.timestamp !== undefined;
  const slideMs = size.by === 'time' ? size.slide : Number.NaN;
  return {
    ...size,
    eventTime,
    ...(o.timestampField === undefined ? {} : { timestampField: o.timestampField }),
    timestampExtractor: typeof o.timestamp === 'function',
    lagMs: o.lagMs ?? 0,
    allowedLatenessMs: o.allowedLatenessMs ?? 0,
    lateStream: o.lateStream ?? 'late',
    ...(o.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: o.idleTimeoutMs }),
    watermarkIntervalMs: o.watermarkIntervalMs ?? defaultInterval(slideMs),
    optionProblems: problems,
  };
}
