/** Testing helpers, as Storm's testing API: feed spouts, complete topologies, run one bolt. */
export { AckFailTracker, WaitTimeoutError } from './ack-fail-tracker.js';
export { FeederSpout } from './feeder-spout.js';
export { completeTopology } from './complete-topology.js';
export type { CompleteTopologyOptions, CompleteTopologyResult, MockedTuple } from './complete-topology.js';
export { runBolt } from './run-bolt.js';
export type { BoltInput, RunBoltOptions, RunBoltResult } from './run-bolt.js';
export { captureComponent } from './capture.js';
export type { CaptureHooks, EmitRecord } from './capture.js';
export { SimulatedTime } from './simulated-time.js';
