/**
 * The acker protocol, in one place: the acker's component id, its reserved streams and their
 * field layouts, the encoding of a tree's root id, the thread bits a tree carries, and the one
 * function that picks a root's acker. The system rewrite (system.ts) declares the streams from
 * here; spouts, bolts, the ack coalescer, the acker and the `ackerRoot` grouping build and read
 * the messages only through these helpers, so a change of layout is a change of this file.
 *
 * Messages (values by position; 64-bit XORs travel as two int32 halves, hi and lo):
 *   spout -> acker  __ack_init   [root, xhi, xlo, spoutTask, workers]  XOR of the root's edges
 *   bolt  -> acker  __ack_ack    [root, xhi, xlo, workers]             input edge XOR its children's
 *   bolt  -> acker  __ack_fail   [root]
 *   bolt  -> acker  __ack_reset  [root]                                 keep the tree from timing out
 *   acker -> spout  __ack_ack / __ack_reset  [root]; __ack_fail [root, reason], direct to the root's spout task
 *   system -> acker __worker_lost [workerIndex]                         fail the trees that reached it
 *
 * Pure data and arithmetic: no runtime imports, so the logical plan can use it too.
 */

export const ACKER_ID = '__acker';
export const ACK_INIT_STREAM = '__ack_init';
export const ACK_ACK_STREAM = '__ack_ack';
export const ACK_FAIL_STREAM = '__ack_fail';
export const ACK_RESET_STREAM = '__ack_reset';
/** System stream (component `__system`) telling ackers that a worker thread died: values [workerIndex]. */
export const WORKER_LOST_STREAM = '__worker_lost';

/** Field layouts of the messages above, as the system rewrite declares them. */
export const INIT_FIELDS: readonly string[] = ['root', 'xhi', 'xlo', 'task', 'workers'];
export const BOLT_ACK_FIELDS: readonly string[] = ['root', 'xhi', 'xlo', 'workers'];
export const ROOT_ONLY_FIELDS: readonly string[] = ['root'];
/** The acker's fail to a spout: the root and why (FAIL_BY_BOLT, FAIL_THREAD_LOST). */
export const ACKER_FAIL_FIELDS: readonly string[] = ['root', 'reason'];

/** Why the acker failed a tree: a bolt failed it, or a thread it reached died. */
export const FAIL_BY_BOLT = 0;
export const FAIL_THREAD_LOST = 1;

/** Positions in those layouts (shared by init and ack: root, xhi, xlo; then they differ). */
export const AT_ROOT = 0;
export const AT_XHI = 1;
export const AT_XLO = 2;
export const AT_INIT_TASK = 3;
export const AT_INIT_WORKERS = 4;
export const AT_ACK_WORKERS = 3;
export const AT_FAIL_REASON = 1;

// A root id is `spoutTask * 2^32 + seq`: the spout task above bit 32 (task ids start at 1,
// so a root is never 0 and 0 can mark a free slot), a per-task sequence below. It stays an
// exact double up to task 2^21, far above any plan.
const TASK_FACTOR = 4294967296;

/** The root id of sequence number `seq` (0 .. 2^32-1) of spout task `spoutTask` (>= 1). */
export function rootId(spoutTask: number, seq: number): number {
  return spoutTask * TASK_FACTOR + seq;
}

/** The spout task that owns a root. */
export function rootSpoutTask(root: number): number {
  return Math.floor(root / TASK_FACTOR);
}

/** A root's sequence number (its low 32 bits), as an unsigned int. */
export function rootSeq(root: number): number {
  return root >>> 0;
}

/** The acker task for a root: the one its spout task was assigned (`ackerForSpoutTask`, by spout task id). */
export function ackerOfRoot(root: number, ackerForSpoutTask: readonly number[]): number {
  return ackerForSpoutTask[rootSpoutTask(root)]!;
}

/**
 * The bit a tree carries for each thread it reached (ORed along the way), so a dead thread's
 * trees can be failed at once. Threads beyond 31 share bits: a death then also fails some
 * trees that did not reach it, which replay; never fewer.
 */
export function workerBit(workerIndex: number): number {
  return 1 << (workerIndex % 31);
}

/** __ack_init's values. */
export function initMessage(root: number, xhi: number, xlo: number, spoutTask: number, workers: number): unknown[] {
  return [root, xhi, xlo, spoutTask, workers];
}

/** __ack_ack's values (from a bolt, or a thread's coalesced acks of one root). */
export function ackMessage(root: number, xhi: number, xlo: number, workers: number): unknown[] {
  return [root, xhi, xlo, workers];
}

/** The acker's __ack_fail to a spout task. */
export function failMessage(root: number, reason: number): unknown[] {
  return [root, reason];
}

/** __ack_fail / __ack_reset values from a bolt, and the acker's __ack_ack / __ack_reset. */
export function rootMessage(root: number): unknown[] {
  return [root];
}
