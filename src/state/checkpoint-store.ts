/**
 * Where a bolt task's checkpoints go. One store per task; its state is a hash of key ->
 * JSON and a meta hash (`txid` of the last committed checkpoint, `epoch` of the instance
 * allowed to write, `tasks` = the component's parallelism when the state was first written).
 *
 * `open` claims the state: it bumps the epoch, so a writer from an older instance (a
 * second process on the same topology, a thread that was declared dead but still runs) is
 * refused from then on instead of interleaving its checkpoints with ours.
 */
import type { IdSnapshot } from './applied-ids.js';
import type { Snapshot } from './task-state.js';

export interface Checkpoint {
  /** Key -> JSON of every key of the last committed checkpoint. */
  readonly entries: Array<[string, string]>;
  /** Applied input id -> txid that committed it (option idField). */
  readonly ids: Array<[string, string]>;
  /** 0 when nothing was ever committed. */
  readonly txid: number;
  /** The parallelism the state was written with. */
  readonly tasks: number;
}

export interface CheckpointStore {
  readonly kind: 'redis' | 'memory';
  /** Claim the task's state for this instance and read its last checkpoint. */
  open(tasks: number): Promise<Checkpoint>;
  /**
   * Write a snapshot as checkpoint `txid` (the last one + 1, or the last one again when
   * retrying a commit whose reply was lost), all of it or none of it. Rejects with a
   * FencedError when another instance has claimed the state since `open`, or it is gone.
   */
  commit(txid: number, snapshot: Snapshot, ids: IdSnapshot | null): Promise<void>;
  close(): Promise<void>;
}

/**
 * This instance may not write the task's state any more: another instance opened it, or it
 * is gone from the store (writing only the changed keys onto nothing would corrupt it).
 */
export class FencedError extends Error {
  override readonly name = 'FencedError';
}

/** The Redis keys of one task's state. The hash tag keeps both in one cluster slot, as one script needs. */
export function stateKeys(namespace: string, component: string, taskIndex: number): { data: string; meta: string; ids: string } {
  const tag = `{${namespace}/${component}/${taskIndex}}`;
  return { data: `topo:state:${tag}:data`, meta: `topo:state:${tag}:meta`, ids: `topo:state:${tag}:ids` };
}

interface MemoryTask {
  readonly data: Map<string, string>;
  /** txid -> the ids that checkpoint applied. */
  readonly ids: Map<number, readonly string[]>;
  txid: number;
  epoch: number;
  tasks: number | null;
}

/**
 * The in-process store, used when no Redis is configured: checkpoints live in a module
 * variable of the worker thread, so they survive nothing: a thread that dies or a process
 * that restarts starts empty. It keeps the same protocol (txids, fencing) so a topology
 * behaves the same until then.
 */
const memory = new Map<string, MemoryTask>();

export class MemoryCheckpointStore implements CheckpointStore {
  readonly kind = 'memory' as const;
  private epoch = 0;
  constructor(private readonly key: string) {}

  async open(tasks: number): Promise<Checkpoint> {
    let t = memory.get(this.key);
    if (t === undefined) memory.set(this.key, (t = { data: new Map(), ids: new Map(), txid: 0, epoch: 0, tasks: null }));
    this.epoch = ++t.epoch;
    t.tasks ??= tasks;
    const ids: Array<[string, string]> = [];
    for (const [tx, list] of t.ids) for (const id of list) ids.push([id, String(tx)]);
    return { entries: [...t.data], ids, txid: t.txid, tasks: t.tasks };
  }

  async commit(txid: number, s: Snapshot, ids: IdSnapshot | null): Promise<void> {
    const t = memory.get(this.key)!;
    if (t.epoch !== this.epoch) throw new FencedError(`state claimed by another instance (epoch ${t.epoch}, ours ${this.epoch})`);
    if (txid !== t.txid + 1 && txid !== t.txid) throw new Error(`checkpoint ${txid} does not follow the last committed one (${t.txid})`);
    for (let i = 0; i < s.puts.length; i += 2) t.data.set(s.puts[i]!, s.puts[i + 1]!);
    for (const k of s.deletes) t.data.delete(k);
    if (ids !== null) {
      if (ids.fresh.length > 0) t.ids.set(ids.txid, ids.fresh);
      for (const tx of ids.dropped) t.ids.delete(tx);
    }
    t.txid = txid;
  }

  async close(): Promise<void> {}
}
