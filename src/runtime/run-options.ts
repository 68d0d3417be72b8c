/** How a run is started (runTopology, `topo run`): config layers, duration, chaos, clock, listeners. */
import type { Clock } from '../api/clock.js';

export interface RunOptions {
  /** `-c key=value` pairs (over the topology file's config). */
  config?: Record<string, unknown>;
  /** Dedicated flags such as `--workers` (over everything). */
  overrides?: Record<string, unknown>;
  durationMs?: number;
  chaosKillEveryMs?: number;
  /** Stop chaos after this many kills. */
  chaosMaxKills?: number;
  /** Run the tasks on the calling thread (no worker threads); `workers` is then 1. */
  inThread?: boolean;
  /** Start with the spouts deactivated (Storm's inactive submit): nothing is emitted until `activate()`. */
  startInactive?: boolean;
  /**
   * The run's clock: timeouts, ticks and processing-time windows read it. Only for a
   * Topology object run in the calling thread; `SimulatedTime` (topo-streams/testing) is
   * the one to give. Default: real time.
   */
  clock?: Clock;
  onError?(e: { component: string; taskId: number; message: string }): void;
  onEvent?(text: string): void;
}
