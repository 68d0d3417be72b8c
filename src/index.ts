// Public exports only.
export type { Spout, Bolt, BasicBolt, Component, Config, MessageId, FailReason, ComponentSource } from './api/components.js';
export { BaseSpout, BaseBolt, BaseBasicBolt } from './api/components.js';
export type { Tuple } from './api/tuple.js';
export { DEFAULT_STREAM, TICK_STREAM } from './api/tuple.js';
export type { TopologyContext } from './api/context.js';
export type { Clock, CancelTimer } from './api/clock.js';
export type { OutputCollector, SpoutOutputCollector, BasicOutputCollector, Anchors } from './api/collectors.js';
export type { OutputFieldsDeclarer } from './api/declarer.js';
export type { CustomStreamGrouping, CustomGroupingSource, GroupingContext } from './api/grouping.js';
export type { TaskHook, TaskHookFactory, EmitInfo, SpoutAckInfo, SpoutFailInfo, BoltExecuteInfo, BoltAckInfo, BoltFailInfo } from './api/hooks.js';
export type { SharedResourceSpec } from './api/resources.js';
export type { WindowedBolt, TupleWindow, WindowOutputCollector, WindowOptions, WindowSize } from './api/windowed.js';
export { BaseWindowedBolt, LATE_STREAM_FIELDS } from './api/windowed.js';
export { windowed } from './windows/windowed.js';
export type { StatefulBolt, KeyValueState, StateValue, StatefulOutputCollector, StateOptions } from './api/stateful.js';
export { BaseStatefulBolt } from './api/stateful.js';
export { stateful } from './state/stateful.js';

export { TopologyBuilder } from './topology/builder.js';
export type { ComponentDeclarer, SpoutDeclarer, BoltDeclarer } from './topology/builder.js';
export { TopologyValidationError } from './topology/errors.js';
export { validatePlan, validateRuntimeConfig } from './topology/validate.js';
export { addSystemComponents, topologicalOrder, topologicalLevels } from './topology/system.js';
export type { SystemOptions } from './topology/system.js';
export { describePlan, planToJSON } from './topology/describe.js';
export type { PlanAssignment } from './topology/describe.js';
export type { Plan, ComponentDef, StreamDef, InputDef, Grouping } from './topology/plan.js';
export type { Topology } from './topology/topology.js';

export { runTopology } from './runtime/local.js';
export type { TopologyHandle } from './runtime/local.js';
export type { RunOptions } from './runtime/supervisor.js';
export { RunError } from './runtime/supervisor.js';
export type { RunSummary, RunStatus } from './runtime/summary.js';

export { LineFileSpout } from './spouts/line-file-spout.js';
export { ChosenSpout, chooseSpout } from './spouts/chosen-spout.js';
export type { SpoutChoice } from './spouts/chosen-spout.js';
export type { LineFileSpoutOptions } from './spouts/line-file-spout.js';
export { RedisStreamSpout } from './spouts/redis-stream-spout.js';
export type { RedisStreamSpoutOptions, StreamSpoutStats } from './spouts/redis-stream-spout.js';
export type { StreamSettings } from './spouts/stream-settings.js';
export { DedupeWindow, DEFAULT_DEDUPE_WINDOW_MS } from './spouts/dedupe-window.js';
export type { DedupeOptions, DedupeVerdict } from './spouts/dedupe-window.js';
