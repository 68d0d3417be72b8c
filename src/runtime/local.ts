/**
 * The in-process API (Storm's LocalCluster): run a topology from code and get a handle.
 * A file path runs on worker threads, exactly as `topo run` does; a Topology object runs its
 * tasks on the calling thread (one worker, no encoding), which suits unit tests.
 */
import type { Topology } from '../topology/topology.js';
import { loadTopologyFile } from './loader.js';
import { Supervisor, type RunOptions } from './supervisor.js';
import type { RunSummary } from './summary.js';

export interface TopologyHandle {
  /** Resolves when the run ends: completed, stopped, incomplete or failed. */
  readonly completion: Promise<RunSummary>;
  /** Stop the spouts, drain pending trees, finish and close. */
  stop(): Promise<RunSummary>;
  /** Current figures (asks every thread for fresh counters first). */
  metrics(): Promise<RunSummary>;
  /** Resolves true once no thread has work queued, executing or in flight. */
  waitIdle(timeoutMs?: number): Promise<boolean>;
  /** Storm's activate/deactivate: resume or pause every spout (see Supervisor.activate); false when the run is not running. */
  activate(): boolean;
  deactivate(): boolean;
  /** True while the spouts are active. */
  readonly active: boolean;
  readonly supervisor: Supervisor;
}

export async function runTopology(source: string | Topology, options: RunOptions = {}): Promise<TopologyHandle> {
  let sup: Supervisor;
  if (typeof source === 'string') {
    if (options.clock !== undefined) {
      throw new Error(
        `runTopology: option clock needs a Topology object, run in the calling thread; '${source}' would run on ` +
          'worker threads, which keep real time (import the topology and pass it instead of its path)',
      );
    }
    const loaded = await loadTopologyFile(source);
    sup = new Supervisor(loaded.topology, { bundlePath: loaded.bundlePath, file: loaded.file }, options);
  } else {
    sup = new Supervisor(source, { inThread: source }, { ...options, inThread: true });
  }
  await sup.start();
  return {
    completion: sup.completion,
    stop: () => sup.stop(),
    metrics: async () => {
      await sup.refreshMetrics();
      return sup.summary();
    },
    waitIdle: (t) => sup.waitIdle(t),
    activate: () => sup.activate(),
    deactivate: () => sup.deactivate(),
    get active() {
      return sup.active;
    },
    supervisor: sup,
  };
}
