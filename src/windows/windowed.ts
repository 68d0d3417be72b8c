/**
 * `windowed(UserBolt, options)`: turns a WindowedBolt into a component source the builder
 * accepts with `setBolt`. The returned factory carries the plain-data spec (for the plan and
 * its build-time checks); each call builds the runtime wrapper around a fresh user bolt.
 */
import type { Bolt, ComponentFactory, ComponentSource } from '../api/components.js';
import { WINDOW_SPEC, type WindowedBolt, type WindowOptions } from '../api/windowed.js';
import { instantiate } from '../topology/topology.js';
import { toWindowSpec } from './spec.js';
import { WindowBoltRunner } from './window-bolt.js';

/**
 * A windowed bolt for `builder.setBolt(id, windowed(MyWindowBolt, options), parallelism)`.
 * Its `execute(window, collector)` runs once per window firing; see {@link WindowOptions}.
 * Problems in `options` are reported by `build()`, naming the bolt.
 *
 * @example
 * builder.setBolt('counts', windowed(CountWords, {
 *   sliding: { durationMs: 10_000, everyMs: 5_000 },
 *   timestampField: 'ts', lagMs: 1000, allowedLatenessMs: 5000, lateStream: 'late',
 * }), 2).fieldsGrouping('words', ['word']);
 */
export function windowed(source: ComponentSource<WindowedBolt>, options: WindowOptions): ComponentFactory<Bolt> {
  const spec = toWindowSpec(options);
  const extract = typeof options?.timestamp === 'function' ? options.timestamp : undefined;
  const factory = (): Bolt => new WindowBoltRunner(instantiate(source), spec, extract);
  Object.defineProperty(factory, WINDOW_SPEC, { value: spec, enumerable: false });
  return factory;
}
