/**
 * One worker: its tasks, its local queue, its channels to peer threads and the loop that
 * drives them. A tuple for a task on this thread goes straight to the local queue (no
 * encoding); others go to the outbox. The loop drains incoming frames and the local
 * queue, polls spouts, and flushes partial batches when there is nothing else to do.
 */
import type { MessagePort } from 'node:worker_threads';
import { wallClock, type Clock } from '../../api/clock.js';
import type { Topology } from '../../topology/topology.js';
import { workerBit } from '../../topology/acker-protocol.js';
import type { MainToWorker, SupervisorLink, WorkerInit } from '../messages.js';
import type { RuntimeConfig } from '../config.js';
import { IdGenerator } from '../ids.js';
import { SharedState } from '../shared-state.js';
import type { TaskCounters, WorkerMetrics } from '../metrics.js';
import { Outbox } from '../transport/outbox.js';
import { readFrame } from '../transport/frames.js';
import { StreamTable, type StreamInfo } from './streams.js';
import { TupleImpl } from './tuple-impl.js';
import { PollResult, errorText, type ExecutorHost } from './executor.js';
import { TaskSet } from './task-set.js';
import { TickTimers } from './ticks.js';
import { Inbox, LocalQueue } from './work-queues.js';
import { AckCoalescer } from './ack-coalescer.js';

/** Idle spouts are polled again after this long (Storm's sleep wait strategy). */
const IDLE_POLL_MS = 1;
/** Peer frames executed per loop round before the thread yields to its other ports and timers. */
const FRAMES_PER_ROUND = 4;
/** Real time a simulated-time step may take to settle before it is reported as never idle. */
const SETTLE_BOUND_MS = 10_000;

export class WorkerHost implements ExecutorHost {
  readonly ids = new IdGenerator();
  readonly tracking: boolean;
  readonly config: RuntimeConfig;
  readonly shared: SharedState;
  readonly workerIndex: number;
  readonly clock: Clock;
  now: number;
  private readonly streams: StreamTable;
  private readonly taskWorker: readonly number[];
  private readonly tasks: TaskSet;
  private readonly outbox: Outbox;
  private readonly ports: Array<MessagePort | undefined>;
  private readonly ticks: TickTimers;
  private readonly local = new LocalQueue();
  private readonly inbox = new Inbox();
  private asyncPending = 0;
  private readonly acks: AckCoalescer;
  private scheduled = false;
  private timer: NodeJS.Timeout | null = null;
  private draining = false;
  private active = false;
  private lastErrorPost = 0;
  /** When a round last did real work (this.now): the idle spin runs for idleSpinMs after it. */
  private lastWorkAt = 0;
  /** Ports are listened to only once every task is ready (a rewire may arrive before). */
  private started = false;
  /** Under a simulated clock: detaches this thread from it, and who waits for the end of the next round. */
  private detachClock: (() => void) | null = null;
  private roundWaiters: Array<(worked: boolean) => void> = [];

  constructor(
    private readonly init: WorkerInit,
    private readonly topology: Topology,
    private readonly link: SupervisorLink,
    clock: Clock = wallClock,
  ) {
    this.clock = clock;
    this.now = clock.now();
    this.workerIndex = init.workerIndex;
    this.config = init.config;
    this.tracking = init.config.ackers > 0;
    this.shared = new SharedState(init.assignment.workers, init.assignment.taskWorker.length - 1, init.sharedState);
    this.streams = new StreamTable(init.plan);
    this.taskWorker = init.assignment.taskWorker;
    this.ports = [...init.peers];
    this.outbox = new Outbox((slots, err) => this.unencodable(slots, err), this.workerIndex, this.ports, this.shared, init.config.batchSize, init.config.maxInflightFrames, () => this.now);
    this.acks = new AckCoalescer(init.assignment.ackerForSpoutTask, this.streams.byCode);
    this.tasks = new TaskSet(this);
    this.ticks = new TickTimers(this.streams.tick, (task, t) => this.enqueue(task, t), clock);
    // Decided once: only a simulated clock makes the loop report its rounds (see settle()).
    if (clock.attach !== undefined) {
      const round = this.pump;
      this.pump = () => {
        const before = Atomics.load(this.shared.activity, this.workerIndex);
        round();
        this.roundEnded(Atomics.load(this.shared.activity, this.workerIndex) !== before);
      };
      this.detachClock = clock.attach(() => this.settle());
    }
  }

  /** Build and start (open/prepare) every task; reports ready or the component that failed. */
  async start(): Promise<void> {
    const w = this.workerIndex;
    // A replacement thread starts from fresh channel counters on its side.
    for (let p = 0; p < this.shared.workers; p++) {
      Atomics.store(this.shared.sent, w * this.shared.workers + p, 0);
      Atomics.store(this.shared.processed, p * this.shared.workers + w, 0);
    }
    const failed = await this.tasks.start(this.topology, this.init.plan, this.init.assignment, this.streams);
    if (failed !== null) return this.startFailed(failed.component, failed.taskId, failed.error);
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

  /** A batch from a peer is only queued here (see work-queues.ts); the pump takes a few per round. */
  private onFrame(peer: number, frame: Uint8Array): void {
    this.inbox.push(peer, frame);
    // Busy until a pump has executed the frame and flushed what it emitted.
    Atomics.store(this.shared.busy, this.workerIndex, 1);
    this.schedule();
  }

  /** Execute queued frames: at most FRAMES_PER_ROUND, then the loop yields. */
  private processInbox(): void {
    const n = Math.min(this.inbox.size, FRAMES_PER_ROUND);
    for (let k = 0; k < n; k++) {
      const peer = this.inbox.nextPeer();
      this.now = this.clock.now();
      readFrame(this.inbox.take(), this.receiveRemote);
      this.drainLocal();
      Atomics.add(this.shared.processed, peer * this.shared.workers + this.workerIndex, 1);
    }
  }

  /** One tuple of a peer's frame, executed as it is decoded (no intermediate array). */
  private readonly receiveRemote = (task: number, streamCode: number, sourceTask: number, anchors: number[] | null, values: unknown[]): void => {
    const e = this.tasks.byId[task];
    if (e !== undefined) e.receive(new TupleImpl(this.streams.byCode[streamCode]!, sourceTask, values, anchors));
  };

  loadOf(worker: number): number {
    const s = this.shared;
    if (worker === this.workerIndex) return Math.min(1, this.local.size / (4 * this.config.batchSize));
    if (Atomics.load(s.congestion, worker) === 1) return 1;
    return Math.min(1, s.inflight(this.workerIndex, worker) / this.config.maxInflightFrames);
  }

  workerBit(task: number): number {
    return workerBit(this.taskWorker[task]!);
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
    this.local.push(task, t);
    if (!this.draining) this.schedule();
  }

  private drainLocal(): void {
    this.local.drain(this.tasks.byId);
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

  private readonly pump: () => void = (): void => {
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
    const worked = this.local.size > 0 || this.acks.pending > 0 || this.outbox.pendingTuples > 0 ||
      this.outbox.hasWaiting || this.inbox.size > 0;
    this.draining = true;
    this.now = this.clock.now();
    this.drainLocal();
    this.processInbox();
    let again = false;
    let idle = false;
    for (const sp of this.tasks.spouts) {
      this.now = this.clock.now();
      const r = sp.poll(this.config.batchSize);
      if (r === PollResult.Emitted) again = true;
      else if (r === PollResult.Idle || (r === PollResult.Blocked && s.anyCongested())) idle = true;
      this.drainLocal();
    }
    // Local acks reach the acker here, and its completions the spout, in the same round.
    if (this.acks.pending > 0) this.now = this.clock.now();
    while (this.acks.pending > 0) {
      this.flushAcks();
      this.drainLocal();
    }
    this.draining = false;
    // Read afresh: a long round must not make a batch begun in it wait a whole further round.
    this.now = this.clock.now();
    if (worked || again) {
      Atomics.add(s.activity, this.workerIndex, 1);
      this.lastWorkAt = this.now;
    }
    // Busy or spinning, a partial batch waits (up to batchDelayMs) for more tuples; a thread
    // about to sleep sends everything.
    const spin = this.active && this.now - this.lastWorkAt < this.config.idleSpinMs;
    if (again || this.inbox.size > 0 || spin) this.outbox.flushDue(this.now, this.config.batchDelayMs);
    else this.outbox.flushAll();
    const backlog = this.inbox.size > 0;
    Atomics.store(s.busy, this.workerIndex, backlog || this.outbox.hasWaiting || this.outbox.pendingTuples > 0 || this.asyncPending > 0 ? 1 : 0);
    if (again || backlog) this.schedule();
    else if (spin) {
      // Idle spin (Storm's progressive wait, first level): poll again at once for a moment
      // after work. A steady stream's next tuple or frame then finds the thread awake, instead
      // of waiting out the 1 ms poll timer or a halted CPU's wake-up. Peer frames still arrive
      // between rounds: setImmediate runs after the loop's I/O poll.
      this.schedule();
    } else if ((idle || this.outbox.hasWaiting) && this.timer === null) {
      this.timer = setTimeout(this.pump, IDLE_POLL_MS);
    }
  };

  private roundEnded(worked: boolean): void {
    const waiters = this.roundWaiters;
    if (waiters.length === 0) return;
    this.roundWaiters = [];
    for (const w of waiters) w(worked);
  }

  /**
   * Under a simulated clock, what each step of time awaits: resolves once a loop round did no
   * work (no spout emitted, nothing was queued) with nothing scheduled after it and no async
   * execute outstanding. Async executes wait on real I/O, so those are waited for in real time.
   */
  async settle(): Promise<void> {
    const deadline = Date.now() + SETTLE_BOUND_MS;
    for (;;) {
      const worked = await new Promise<boolean>((resolve) => {
        this.roundWaiters.push(resolve);
        this.schedule();
      });
      if (!worked && !this.scheduled && this.asyncPending === 0 && this.local.size === 0) return;
      if (Date.now() > deadline) {
        throw new Error(
          `simulated time: worker ${this.workerIndex} was not idle after ${SETTLE_BOUND_MS} ms of real time ` +
            `(${this.asyncPending} async execute(s) outstanding, ${this.local.size} tuple(s) queued): ` +
            'a spout that never stops emitting or an execute that never settles cannot be waited for',
        );
      }
      if (this.asyncPending > 0 && !this.scheduled) await new Promise((r) => setTimeout(r, 1));
    }
  }

  /** A tuple the encoder rejected: report it against its source and fail its trees (replay). */
  private unencodable(slots: unknown[], error: unknown): void {
    const source = this.tasks.byId[slots[2] as number];
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

  failRun(counters: TaskCounters, error: unknown): void {
    counters.errors++;
    const text = errorText(error);
    counters.lastError = text.split('\n')[0]!;
    // Never rate-limited: it ends the run, and it is sent once per call.
    this.link.post({ type: 'fatal', workerIndex: this.workerIndex, component: counters.component, taskId: counters.taskId, message: text });
  }

  /** Handle a supervisor command. */
  async control(msg: MainToWorker): Promise<void> {
    switch (msg.type) {
      case 'activate':
        this.active = true;
        for (const sp of this.tasks.spouts) sp.activate();
        this.ticks.start(this.init.plan, this.init.assignment, this.workerIndex);
        this.schedule();
        return;
      case 'deactivate':
        this.active = false;
        for (const sp of this.tasks.spouts) sp.deactivate();
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
        if (!msg.replaced) {
          // Until the replacement is wired, frames for the dead thread wait here (the replays
          // below included): posted into its channel they were lost and waited out the timeout.
          this.ports[msg.worker]?.close();
          this.outbox.peerLost(msg.worker);
        }
        for (const ex of this.tasks.ackers()) this.enqueue(ex.taskId, new TupleImpl(this.streams.workerLost, -1, [msg.worker], null));
        // Trees whose acker lived on the lost thread can never complete: fail them now.
        for (const sp of this.tasks.spouts) {
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
    await this.tasks.finish(component);
    this.schedule();
    this.link.post({ type: 'finished', workerIndex: this.workerIndex, component });
  }

  private async close(): Promise<void> {
    this.ticks.stop();
    this.detachClock?.();
    await this.tasks.closeAll();
    this.drainLocal();
    this.flushAcks();
    this.drainLocal();
    this.outbox.flushAll();
    if (this.timer) clearTimeout(this.timer);
    this.link.post({ type: 'closed', workerIndex: this.workerIndex, metrics: this.metrics() });
  }

  metrics(): WorkerMetrics {
    const mem = process.memoryUsage();
    return {
      workerIndex: this.workerIndex, tasks: this.tasks.counters(), completeLatency: this.tasks.completeLatency(),
      rssBytes: mem.rss, heapUsedBytes: mem.heapUsed,
      queueDepth: this.local.size + this.outbox.pendingTuples,
      framesSent: this.outbox.framesSent,
      tuplesSent: this.outbox.tuplesSent,
    };
  }

  get isActive(): boolean {
    return this.active;
  }
}
