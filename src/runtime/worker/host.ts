/**
 * One worker: its tasks, its local queue, its channels to peer threads and the loop that
 * drives them. A tuple for a task on this thread goes straight to the local queue (no
 * encoding); others go to the outbox. The loop drains incoming frames and the local
 * queue, polls spouts, and flushes partial batches when there is nothing else to do.
 */
import type { MessagePort } from 'node:worker_threads';
import type { Topology } from '../../topology/topology.js';
import { ACKER_ID } from '../../topology/plan.js';
import type { MainToWorker, SupervisorLink, WorkerInit } from '../messages.js';
import type { RuntimeConfig } from '../config.js';
import { IdGenerator } from '../ids.js';
import { SharedState } from '../shared-state.js';
import type { TaskCounters, WorkerMetrics } from '../metrics.js';
import { encodeHistogram } from '../metrics.js';
import { Outbox } from '../transport/outbox.js';
import { decodeFrame, SLOTS_PER_TUPLE } from '../transport/frames.js';
import { StreamTable, type StreamInfo } from './streams.js';
import { TupleImpl } from './tuple-impl.js';
import { PollResult, errorText, type Executor, type ExecutorHost } from './executor.js';
import { SpoutExecutor } from './spout-executor.js';
import { buildExecutors } from './tasks.js';
import { TickTimers } from './ticks.js';
import { AckCoalescer } from './ack-coalescer.js';

/** Idle spouts are polled again after this long (Storm's sleep wait strategy). */
const IDLE_POLL_MS = 1;
/** Peer frames executed per loop round before the thread yields to its other ports and timers. */
const FRAMES_PER_ROUND = 4;
const EMPTY = new Uint8Array(0);

export class WorkerHost implements ExecutorHost {
  readonly ids = new IdGenerator();
  readonly tracking: boolean;
  readonly config: RuntimeConfig;
  readonly shared: SharedState;
  readonly workerIndex: number;
  clock = performance.now();
  private readonly streams: StreamTable;
  private readonly taskWorker: readonly number[];
  private readonly executors: Array<Executor | undefined> = [];
  private readonly spouts: SpoutExecutor[] = [];
  private readonly outbox: Outbox;
  private readonly ports: Array<MessagePort | undefined>;
  private readonly ticks: TickTimers;
  // Local queue as two parallel arrays with a read index: no per-entry allocation.
  private qTasks: number[] = [];
  private qTuples: TupleImpl[] = [];
  private qHead = 0;
  private asyncPending = 0;
  private readonly inboxFrames: Uint8Array[] = [];
  private readonly inboxPeers: number[] = [];
  private inboxHead = 0;
  private readonly acks: AckCoalescer;
  private scheduled = false;
  private timer: NodeJS.Timeout | null = null;
  private draining = false;
  private active = false;
  private lastErrorPost = 0;
  /** Ports are listened to only once every task is ready (a rewire may arrive before). */
  private started = false;

  constructor(private readonly init: WorkerInit, private readonly topology: Topology, private readonly link: SupervisorLink) {
    this.workerIndex = init.workerIndex;
    this.config = init.config;
    this.tracking = init.config.ackers > 0;
    this.shared = new SharedState(init.assignment.workers, init.assignment.taskWorker.length - 1, init.sharedState);
    this.streams = new StreamTable(init.plan);
    this.taskWorker = init.assignment.taskWorker;
    this.ports = [...init.peers];
    this.outbox = new Outbox((slots, err) => this.unencodable(slots, err), this.workerIndex, this.ports, this.shared, init.config.batchSize, init.config.maxInflightFrames);
    this.acks = new AckCoalescer(init.assignment.ackerForSpoutTask, this.streams.byCode);
    this.ticks = new TickTimers(this.streams.tick, (task, t) => this.enqueue(task, t));
  }

  /** Build and start (open/prepare) every task; reports ready or the component that failed. */
  async start(): Promise<void> {
    const w = this.workerIndex;
    // A replacement thread starts from fresh channel counters on its side.
    for (let p = 0; p < this.shared.workers; p++) {
      Atomics.store(this.shared.sent, w * this.shared.workers + p, 0);
      Atomics.store(this.shared.processed, p * this.shared.workers + w, 0);
    }
    const built = buildExecutors(this, this.topology, this.init.plan, this.init.assignment, this.streams);
    if (built.failed) return this.startFailed(built.failed.component, built.failed.taskId, built.failed.error);
    for (const ex of built.executors) {
      try {
        await ex.start();
      } catch (error) {
        return this.startFailed(ex.componentId, ex.taskId, error);
      }
      this.executors[ex.taskId] = ex;
      if (ex instanceof SpoutExecutor) this.spouts.push(ex);
    }
    this.started = true;
    this.ports.forEach((port, peer) => port && this.listen(peer, port));
    this.link.post({ type: 'ready', workerIndex: w });
    if (this.init.restart) this.control({ type: 'activate' });
  }

  private startFailed(component: string, taskId: number, error: unknown): void {
    this.link.post({ type: 'startFailed', workerIndex: this.workerIndex, component, taskId, error: errorText(error) });
  }

  private listen(peer: number, port: MessagePort): void {
    port.on('message', (frame: Uint8Array) => this.onFrame(peer, frame));
  }

  /**
   * A batch from a peer is only queued here. Node hands a port's queued messages to this
   * handler back to back (up to a thousand), so executing them here would starve the
   * supervisor's port, ticks, and the flush of what they emit; the pump takes a few per round.
   */
  private onFrame(peer: number, frame: Uint8Array): void {
    this.inboxPeers.push(peer);
    this.inboxFrames.push(frame);
    // Busy until a pump has executed the frame and flushed what it emitted.
    Atomics.store(this.shared.busy, this.workerIndex, 1);
    this.schedule();
  }

  /** Execute queued frames: at most FRAMES_PER_ROUND, then the loop yields. */
  private processInbox(): void {
    const n = Math.min(this.inboxFrames.length - this.inboxHead, FRAMES_PER_ROUND);
    const byCode = this.streams.byCode;
    const ex = this.executors;
    for (let k = 0; k < n; k++) {
      const i = this.inboxHead++;
      const peer = this.inboxPeers[i]!;
      this.clock = performance.now();
      const slots = decodeFrame(this.inboxFrames[i]!);
      this.inboxFrames[i] = EMPTY;
      for (let j = 0; j < slots.length; j += SLOTS_PER_TUPLE) {
        const t = new TupleImpl(byCode[slots[j + 1] as number]!, slots[j + 2] as number, slots[j + 4] as unknown[], slots[j + 3] as number[] | null);
        const e = ex[slots[j] as number];
        if (e !== undefined) e.receive(t);
      }
      this.drainLocal();
      Atomics.add(this.shared.processed, peer * this.shared.workers + this.workerIndex, 1);
    }
    if (this.inboxHead === this.inboxFrames.length) {
      this.inboxFrames.length = 0;
      this.inboxPeers.length = 0;
      this.inboxHead = 0;
    }
  }

  workerBit(task: number): number {
    return 1 << (this.taskWorker[task]! % 31);
  }

  ack(info: StreamInfo, sourceTask: number, root: number, hi: number, lo: number, workers: number): void {
    this.acks.add(info, sourceTask, root, hi, lo, workers);
    if (!this.draining) this.schedule();
  }

  /** Send the round's coalesced acks to their ackers. */
  private flushAcks(): void {
    this.acks.flush(this.sendAck);
  }

  private readonly sendAck = (task: number, info: StreamInfo, sourceTask: number, values: unknown[]): void => {
    this.deliver(task, info, sourceTask, values, null);
  };

  deliver(task: number, info: StreamInfo, sourceTask: number, values: unknown[], anchors: number[] | null): void {
    const w = this.taskWorker[task]!;
    if (w === this.workerIndex) this.enqueue(task, new TupleImpl(info, sourceTask, values, anchors));
    else this.outbox.add(w, task, info.code, sourceTask, anchors, values);
  }

  private enqueue(task: number, t: TupleImpl): void {
    this.qTasks.push(task);
    this.qTuples.push(t);
    if (!this.draining) this.schedule();
  }

  private drainLocal(): void {
    const ex = this.executors;
    while (this.qHead < this.qTuples.length) {
      const i = this.qHead++;
      const t = this.qTuples[i]!;
      const e = ex[this.qTasks[i]!];
      if (e !== undefined) e.receive(t);
    }
    this.qTasks.length = 0;
    this.qTuples.length = 0;
    this.qHead = 0;
  }

  asyncStarted(): void {
    this.asyncPending++;
  }

  asyncSettled(): void {
    this.asyncPending--;
    Atomics.add(this.shared.activity, this.workerIndex, 1);
    this.schedule();
  }

  schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.pump);
  }

  private readonly pump = (): void => {
    this.scheduled = false;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const s = this.shared;
    Atomics.store(s.busy, this.workerIndex, 1);
    // Only real work counts as activity: an active spout with nothing to emit is re-polled
    // every millisecond, and counting those empty polls would keep waitIdle from ever
    // seeing a quiet thread while a spout waits for input.
    const worked = this.qHead < this.qTuples.length || this.acks.pending > 0 || this.outbox.pendingTuples > 0 ||
      this.outbox.hasWaiting || this.inboxHead < this.inboxFrames.length;
    this.draining = true;
    this.clock = performance.now();
    this.drainLocal();
    this.processInbox();
    let again = false;
    let idle = false;
    for (const sp of this.spouts) {
      this.clock = performance.now();
      const r = sp.poll(this.config.batchSize);
      if (r === PollResult.Emitted) again = true;
      else if (r === PollResult.Idle || (r === PollResult.Blocked && s.anyCongested())) idle = true;
      this.drainLocal();
    }
    // Local acks reach the acker here, and its completions the spout, in the same round.
    if (this.acks.pending > 0) this.clock = performance.now();
    while (this.acks.pending > 0) {
      this.flushAcks();
      this.drainLocal();
    }
    this.draining = false;
    if (worked || again) Atomics.add(s.activity, this.workerIndex, 1);
    this.outbox.flushAll();
    const backlog = this.inboxHead < this.inboxFrames.length;
    Atomics.store(s.busy, this.workerIndex, backlog || this.outbox.hasWaiting || this.asyncPending > 0 ? 1 : 0);
    if (again || backlog) this.schedule();
    else if ((idle || this.outbox.hasWaiting) && this.timer === null) {
      this.timer = setTimeout(this.pump, IDLE_POLL_MS);
    }
  };

  /** A tuple the encoder rejected: report it against its source and fail its trees (replay). */
  private unencodable(slots: unknown[], error: unknown): void {
    const source = this.executors[slots[2] as number];
    const info = this.streams.byCode[slots[1] as number]!;
    const err = new Error(`component '${info.component}', stream '${info.stream}': a tuple could not be encoded (${(error as Error).message})`);
    if (source === undefined) return;
    this.reportError(source.counters, err);
    const anchors = slots[3] as number[] | null;
    if (anchors !== null) source.failRoots(anchors);
  }

  reportError(counters: TaskCounters, error: unknown): void {
    counters.errors++;
    const text = errorText(error);
    counters.lastError = text.split('\n')[0]!;
    // At most a few messages a second: a bolt failing on every tuple must not flood the supervisor.
    const now = Date.now();
    if (now - this.lastErrorPost < 200) return;
    this.lastErrorPost = now;
    this.link.post({ type: 'error', workerIndex: this.workerIndex, component: counters.component, taskId: counters.taskId, message: text });
  }

  /** Handle a supervisor command. */
  async control(msg: MainToWorker): Promise<void> {
    switch (msg.type) {
      case 'activate':
        this.active = true;
        for (const sp of this.spouts) sp.activate();
        this.ticks.start(this.init.plan, this.init.assignment, this.workerIndex);
        this.schedule();
        return;
      case 'deactivate':
        this.active = false;
        for (const sp of this.spouts) sp.deactivate();
        return;
      case 'finish':
        await this.finishComponent(msg.component);
        return;
      case 'close':
        await this.close();
        return;
      case 'metrics':
        this.link.post({ type: 'metrics', workerIndex: this.workerIndex, metrics: this.metrics() });
        return;
      case 'workerLost':
        for (const ex of this.executors) {
          if (ex !== undefined && ex.componentId === ACKER_ID) {
            this.enqueue(ex.taskId, new TupleImpl(this.streams.workerLost, -1, [msg.worker], null));
          }
        }
        // Trees whose acker lived on the lost thread can never complete: fail them now.
        for (const sp of this.spouts) {
          const acker = this.init.assignment.ackerForSpoutTask[sp.taskId];
          if (acker !== undefined && this.taskWorker[acker] === msg.worker) sp.failAllPending();
        }
        return;
      case 'rewire':
        this.ports[msg.peer]?.close();
        this.ports[msg.peer] = msg.port;
        this.outbox.replacePort(msg.peer, msg.port);
        Atomics.store(this.shared.processed, msg.peer * this.shared.workers + this.workerIndex, 0);
        if (this.started) {
          this.listen(msg.peer, msg.port);
          this.schedule();
        }
        return;
    }
  }

  private async finishComponent(component: string): Promise<void> {
    for (const ex of this.executors) {
      if (ex === undefined || ex.componentId !== component) continue;
      try {
        await ex.finish();
      } catch (err) {
        this.reportError(ex.counters, err);
      }
    }
    this.schedule();
    this.link.post({ type: 'finished', workerIndex: this.workerIndex, component });
  }

  private async close(): Promise<void> {
    this.ticks.stop();
    for (const ex of this.executors) {
      if (ex === undefined) continue;
      try {
        await ex.close();
      } catch (err) {
        this.reportError(ex.counters, err);
      }
    }
    this.drainLocal();
    this.flushAcks();
    this.drainLocal();
    this.outbox.flushAll();
    if (this.timer) clearTimeout(this.timer);
    this.link.post({ type: 'closed', workerIndex: this.workerIndex, metrics: this.metrics() });
  }

  metrics(): WorkerMetrics {
    const tasks: TaskCounters[] = [];
    const completeLatency: Record<string, string[]> = {};
    for (const ex of this.executors) if (ex !== undefined) tasks.push({ ...ex.counters });
    for (const sp of this.spouts) {
      if (sp.latency.totalCount === 0) continue;
      (completeLatency[sp.componentId] ??= []).push(encodeHistogram(sp.latency));
    }
    const mem = process.memoryUsage();
    return {
      workerIndex: this.workerIndex, tasks, completeLatency,
      rssBytes: mem.rss, heapUsedBytes: mem.heapUsed,
      queueDepth: this.qTuples.length - this.qHead + this.outbox.pendingTuples,
      framesSent: this.outbox.framesSent,
      tuplesSent: this.outbox.tuplesSent,
    };
  }

  get isActive(): boolean {
    return this.active;
  }
}
