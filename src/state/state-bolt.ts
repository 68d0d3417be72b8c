/**
 * The bolt the runtime runs for `stateful(UserBolt, options)` (Storm's StatefulBoltExecutor,
 * without the checkpoint spout: each task checkpoints on its own). It restores the task's
 * state in `prepare`, runs the user's `execute` per input and, instead of acking the input,
 * holds it. On each tick (the checkpoint interval) or once `checkpointEveryInputs` inputs
 * are held, it snapshots the keys changed since the last checkpoint, commits them to the
 * store in one atomic write, and only then acks the inputs the snapshot covers. So the
 * committed state holds the effect of exactly the inputs acked so far (plus those whose
 * acks are on their way), and an input that is not acked when its thread dies replays
 * against a state that never saw it. A commit that fails acks nothing: its keys and inputs
 * join the next attempt, and held trees have their timeouts reset meanwhile.
 */
import type { Bolt, Config } from '../api/components.js';
import type { OutputCollector } from '../api/collectors.js';
import type { TopologyContext } from '../api/context.js';
import type { OutputFieldsDeclarer } from '../api/declarer.js';
import type { Tuple } from '../api/tuple.js';
import type { StatefulBolt, StatefulOutputCollector, StateSpec } from '../api/stateful.js';
import { FencedError, type CheckpointStore } from './checkpoint-store.js';
import { openCheckpoints } from './open-checkpoints.js';
import { AppliedIds, IdReader } from './applied-ids.js';
import { TaskState } from './task-state.js';

const MAX_BACKOFF_MS = 2000;

/** Emits of the user's execute, anchored to the input being executed (unanchored outside one). */
class InputCollector implements StatefulOutputCollector {
  c!: OutputCollector;
  input: Tuple | null = null;
  emit(values: unknown[], stream?: string): void {
    this.c.emit(this.input, values, stream);
  }
  emitDirect(taskId: number, values: unknown[], stream?: string): void {
    this.c.emitDirect(taskId, this.input, values, stream);
  }
  reportError(error: unknown): void {
    this.c.reportError(error);
  }
}

export class StatefulBoltRunner implements Bolt {
  private c!: OutputCollector;
  private readonly out = new InputCollector();
  private state!: TaskState;
  private store!: CheckpointStore;
  private owner = '';
  private held: Tuple[] = [];
  /** Option idField: the inputs applied recently, and how an input's id is read. */
  private ids: AppliedIds | null = null;
  private idReader: IdReader | null = null;
  private loop: Promise<void> | null = null;
  private txid = 0;
  /** Set once another instance claimed the state: nothing more is committed. */
  private isFenced = false;
  private maxBackoffMs = MAX_BACKOFF_MS;
  /** How the last commits went, for tests and the bench. */
  readonly stats = { commits: 0, failures: 0, lastCommitMs: 0, lastKeys: 0, replaysSkipped: 0 };

  constructor(
    private readonly user: StatefulBolt,
    private readonly spec: StateSpec,
  ) {
    if (typeof user !== 'object' || user === null || typeof user.execute !== 'function' || typeof user.initState !== 'function') {
      throw new Error('stateful() needs a stateful bolt: an object with initState(state) and execute(tuple, collector)');
    }
  }

  declareOutputFields(d: OutputFieldsDeclarer): void {
    this.user.declareOutputFields?.(d);
  }

  async prepare(config: Config, context: TopologyContext, collector: OutputCollector): Promise<void> {
    this.c = collector;
    this.out.c = collector;
    this.owner = `bolt '${context.componentId}' (task index ${context.taskIndex})`;
    const timeout = config['messageTimeoutMs'];
    // Held trees must have their timeouts reset well within the message timeout while a commit retries.
    if (typeof timeout === 'number' && timeout > 0) this.maxBackoffMs = Math.max(10, Math.min(MAX_BACKOFF_MS, Math.floor(timeout / 3)));
    const namespace = this.spec.namespace ?? (config['stateNamespace'] as string | undefined) ?? context.topologyName;
    const opened = openCheckpoints(config, { namespace, component: context.componentId, taskIndex: context.taskIndex });
    this.store = opened.store;
    if (opened.warning) collector.reportError(new Error(`${this.owner}: ${opened.warning}`));
    const tasks = context.getComponentTasks(context.componentId).length;
    const cp = await this.store.open(tasks);
    if (cp.tasks !== tasks) {
      throw new Error(
        `${this.owner}: its state was checkpointed with ${cp.tasks} task(s) and the bolt now has ${tasks}; ` +
          `state is kept per task (a fields grouping sends a key to the same task only at the same parallelism): ` +
          `run with parallelism ${cp.tasks}, or use another state namespace (option namespace, config stateNamespace)`,
      );
    }
    this.txid = cp.txid;
    this.state = new TaskState(`bolt '${context.componentId}'`);
    this.state.load(cp.entries);
    if (this.spec.idField !== undefined) {
      const interval = typeof config['tickFrequencyMs'] === 'number' ? config['tickFrequencyMs'] : this.spec.checkpointIntervalMs;
      const keepMs = this.spec.dedupeRetentionMs ?? 2 * (typeof timeout === 'number' ? timeout : 30_000);
      this.ids = new AppliedIds(Math.max(1, Math.ceil(keepMs / interval)));
      this.ids.load(cp.ids);
      this.idReader = new IdReader(this.spec.idField);
    }
    await this.user.prepare?.(config, context);
    this.user.initState(this.state);
  }

  /** Returns the checkpoint's promise only when one starts, so the runtime counts the thread busy meanwhile. */
  execute(t: Tuple): void | Promise<void> {
    if (this.isFenced) return this.c.fail(t); // the run is failing: nothing can be committed
    if (t.isTick()) {
      if (this.user.onTick) this.run(t, () => this.user.onTick!(this.out));
      return this.checkpoint();
    }
    let id: string | null = null;
    if (this.ids !== null) {
      id = this.idOf(t);
      if (id === null) return;
      if (this.ids.has(id)) {
        // Its effect is in the state already (committed, or in the coming checkpoint): acked with that checkpoint.
        this.stats.replaysSkipped++;
        if (this.user.replayed) {
          this.state.frozen = 'in replayed(): a recognised replay must not change the state';
          const ok = this.run(t, () => this.user.replayed!(t, this.out));
          this.state.frozen = null;
          if (!ok) return;
        }
        return this.hold(t);
      }
    }
    if (!this.run(t, () => this.user.execute(t, this.out))) return;
    if (id !== null) this.ids!.add(id);
    return this.hold(t);
  }

  /** Run user code for `t` with emits anchored to it; false (changes undone, `t` failed, error reported) if it threw. */
  private run(t: Tuple, body: () => unknown): boolean {
    const state = this.state;
    state.begin();
    this.out.input = t.isTick() ? null : t;
    try {
      const r = body();
      if (r instanceof Promise) {
        r.catch(() => undefined);
        throw new Error(`${this.owner}: a stateful bolt's execute, onTick and replayed must be synchronous (one returned a promise)`);
      }
      return true;
    } catch (err) {
      state.rollback();
      this.c.reportError(err);
      if (!t.isTick()) this.c.fail(t);
      return false;
    } finally {
      this.out.input = null;
    }
  }

  private hold(t: Tuple): Promise<void> | undefined {
    this.held.push(t);
    return this.held.length >= this.spec.checkpointEveryInputs ? this.checkpoint() : undefined;
  }

  /** The input's id (option idField) as a string, or null after failing an input without a usable one. */
  private idOf(t: Tuple): string | null {
    const r = this.idReader!.read(t);
    if (typeof r === 'string') return r;
    this.c.reportError(new Error(`${this.owner}: an input from '${t.sourceComponent}' stream '${t.sourceStreamId}' has ${r.problem}; the tuple is failed`));
    this.c.fail(t);
    return null;
  }

  /** Start a checkpoint unless one is in flight or nothing changed. */
  private checkpoint(): Promise<void> | undefined {
    if (this.loop !== null || this.isFenced || (this.held.length === 0 && this.state.changed === 0 && (this.ids?.changed ?? 0) === 0)) return undefined;
    this.loop = this.commitLoop().finally(() => (this.loop = null));
    return this.loop;
  }

  /** Commit until it succeeds; go on at once while a full batch of inputs waits (steady input). */
  private async commitLoop(): Promise<void> {
    let backoff = 50;
    for (;;) {
      const txid = this.txid + 1;
      try {
        this.user.preCommit?.(txid);
      } catch (err) {
        this.c.reportError(err);
      }
      const snap = this.state.snapshot();
      const idSnap = this.ids?.snapshot(txid) ?? null;
      const tuples = this.held;
      this.held = [];
      const t0 = performance.now();
      try {
        await this.store.commit(txid, snap, idSnap);
      } catch (err) {
        this.state.unsnapshot(snap);
        if (idSnap) this.ids!.unsnapshot(idSnap);
        this.held = tuples.concat(this.held);
        if (err instanceof FencedError) return this.fenced(err);
        this.stats.failures++;
        const msg = err instanceof Error ? err.message : String(err);
        this.c.reportError(new Error(`${this.owner}: checkpoint ${txid} (${snap.keys.length} keys) failed, nothing acked, retrying in ${backoff} ms: ${msg}`));
        for (const h of this.held) this.c.resetTimeout(h);
        await new Promise((r) => setTimeout(r, backoff));
        backoff = Math.min(backoff * 2, this.maxBackoffMs);
        continue;
      }
      this.txid = txid;
      if (idSnap) this.ids!.committed(idSnap);
      this.stats.commits++;
      this.stats.lastCommitMs = performance.now() - t0;
      this.stats.lastKeys = snap.keys.length;
      backoff = 50;
      for (const h of tuples) this.c.ack(h);
      if (this.held.length < this.spec.checkpointEveryInputs) return;
    }
  }

  /** Another instance claimed this task's state, or it is gone: writing on would corrupt it. The run cannot go on correctly. */
  private fenced(err: FencedError): void {
    this.isFenced = true;
    for (const h of this.held) this.c.fail(h);
    this.held = [];
    this.c.failRun(new Error(`${this.owner}: checkpoints stopped: ${err.message}${/another instance/.test(err.message) ? '; is another run of this topology using the same Redis and state namespace? Processes sharing a stream keep their state apart: give each its own -c stateNamespace=NAME' : ''}`));
  }

  /** Committed checkpoints of this task so far (the store's txid). */
  get committedTxid(): number {
    return this.txid;
  }

  /** End of input: commit what is held, let the user bolt finish, commit what it changed. */
  async finish(): Promise<void> {
    const pending = (): boolean => !this.isFenced && (this.loop !== null || this.held.length > 0 || this.state.changed > 0);
    while (pending()) await (this.loop ?? this.checkpoint());
    await this.user.finish?.(this.out);
    while (pending()) await (this.loop ?? this.checkpoint());
  }

  async cleanup(): Promise<void> {
    try {
      await this.user.cleanup?.();
    } finally {
      await this.store?.close();
    }
  }
}
