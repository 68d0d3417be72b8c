/**
 * Public exports of the batch layer (`topo-streams/batch`): what an application declares so
 * that its facts are kept in the master dataset and its views recomputed from them.
 *
 * - {@link defineDataset}: a kind of fact (folder, event time, stable id, validation);
 * - {@link defineFormat}: an input format, a line -> record parser for `topo ingest` and
 *   `topo produce`;
 * - {@link masterSink}: the bolt that appends a topology's facts to the master dataset;
 * - {@link defineBatchInput}: how `topo batch` turns a dataset's records into the views' events,
 *   with side inputs ({@link SideInput}): values built once per run from other datasets.
 *
 * A topology module exports them next to its default topology:
 *
 *   export const datasets = [orders];
 *   export const formats = [ordersCsv];
 *   export const batchInput = defineBatchInput<Order>({ dataset: 'orders', eventOf: (r) => r, groupOf: (o) => o.customer });
 *   export default builder.build('orders');
 *
 * docs/datasets.md is the guide, with a runnable example (topologies/orders.ts).
 */
export { defineDataset, factProblem } from './dataset.js';
export type { DatasetDef } from './dataset.js';
export { accept, defineFormat, reject } from './format.js';
export type { InputFormat, LineContext, ParseOutcome, StreamIdentity } from './format.js';
export { defineBatchInput } from './runner/input.js';
export type { BatchInput, BatchReducer } from './runner/input.js';
export type { SideInput, SideInputs } from './runner/side-input.js';
export { masterSink, MasterSinkBolt } from './master/sink-bolt.js';
export type { MasterSinkOptions } from './master/sink-bolt.js';
export { DEFAULT_MASTER_ROOT } from './master/layout.js';
export { RejectsWriter } from '../spouts/rejects.js';
export type { RejectRecord } from '../spouts/rejects.js';
