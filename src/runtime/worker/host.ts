/**
 * One worker: its tasks, its local queue, its channels to peer threads and the loop that
 * drives them. A tuple for a task on this thread goes straight to the local queue (no
 * encoding); others go to the outbox. The loop drains incoming frames and the local
 * queue, polls spouts, and flushes partial batches when there is nothing else to do.
 * Start, the supervisor's commands and close are lifecycle.ts's; its fields are read there.
 */
import { workerData } from 'node:worker_threads';
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
import { PollResult, type ExecutorHost } from './executor.js';
import { TaskSet } from './task-set.js';
import { TickTimers } from './ticks.js';
import { LocalQueue } from './work-queues.js';
import { AckCoalescer } from './ack-coalescer.js';
import { PeerLinks } from './peer-links.js';
import { ErrorReports } from './error-reports.js';
import { SimulatedRounds } from './sim-rounds.js';
import { IdleWait, Nap } from './idle-wait.js';
import { command, startWorker, workerMetrics } from './lifecycle.js';

/** Peer frames executed per loop round before the thread yields to its other ports and timers. */
const FRAMES_PER_ROUND = 4;

export class WorkerHost implements ExecutorHost {
  readonly ids = new IdGenerator();
  readonly tracking: boolean;
  readonly config: RuntimeConfig;
  readonly shared: SharedState;
  readonly workerIndex: number;
  readonly clock: Clock;
  now: number;
  readonly streams: StreamTable;
  readonly taskWorker: readonly number[];
  readonly tasks: TaskSet;
  readonly outbox: Outbox;
  readonly peers: PeerLinks;
  readonly errors: ErrorReports;
  readonly ticks: TickTimers;
  readonly local = new LocalQueue();
  asyncPending = 0;
  readonly acks: AckCoalescer;
  scheduled = false;
  private draining = false;
  active = false;
  /** When a round last did real work (this.now): the idle spin runs for idleSpinMs after it. */
  private lastWorkAt = 0;
  /** Under a simulated clock only (see sim-rounds.ts). */
  readonly sim: SimulatedRounds | null = null;
  readonly idleWait: IdleWait;

  constructor(
    readonly init: WorkerInit,
    readonly topology: Topology,
    readonly link: SupervisorLink,
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
    this.peers = new PeerLinks(this.shared, this.workerIndex, init.peers, () => this.schedule());
    this.outbox = new Outbox((slots, err) => this.errors.unencodable(slots, err), this.workerIndex, this.peers.ports, this.shared, init.config.batchSize, init.config.maxInflightFrames, () => this.now);
    this.peers.sendWith(this.outbox);
    this.acks = new AckCoalescer(init.assignment.ackerForSpoutTask, this.streams.byCode);
    this.tasks = new TaskSet(this);
    this.errors = new ErrorReports(link, this.workerIndex, this.tasks, this.streams);
    this.ticks = new TickTimers(this.streams.tick, (task, t) => this.enqueue(task, t), clock);
    // Naps only on the runtime's own worker threads, on a real clock (see idle-wait.ts).
    const own = (workerData as { topoWorker?: boolean } | null)?.topoWorker === true;
    const nap = own && clock.attach === undefined ? new Nap(this.shared, this.workerIndex) : null;
    this.idleWait = new IdleWait(nap, () => this.pump(), () => this.schedule());
    // Decided once: only a simulated clock makes the loop report its rounds (sim-rounds.ts).
    if (clock.attach !== undefined) {
      this.sim = new SimulatedRounds((settle) => clock.attach!(settle), this);
      this.pump = this.sim.reporting(this.pump, this.shared.activity);
    }
  }

  /** Build and start (open/prepare) every task; reports ready or the component that failed. */
  start(): Promise<void> {
    return startWorker(this);
  }

  /** Execute queued frames: at most FRAMES_PER_ROUND, then the loop yields. */
  private processInbox(): void {
    const inbox = this.peers.inbox;
    const n = Math.min(inbox.size, FRAMES_PER_ROUND);
    for (let k = 0; k < n; k++) {
      const peer = inbox.nextPeer();
      this.now = this.clock.now();
      readFrame(inbox.take(), this.receiveRemote);
      this.drainLocal();
      this.peers.processed(peer);
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
  flushAcks(): void {
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

  enqueue(task: number, t: TupleImpl): void {
    this.local.push(task, t);
    if (!this.draining) this.schedule();
  }

  drainLocal(): void {
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
    this.idleWait.roundStarted();
    const s = this.shared;
    Atomics.store(s.busy, this.workerIndex, 1);
    // Only real work counts as activity: an active spout with nothing to emit is re-polled
    // every millisecond, and counting those empty polls would keep waitIdle from ever
    // seeing a quiet thread while a spout waits for input.
    const worked = this.local.size > 0 || this.acks.pending > 0 || this.outbox.pendingTuples > 0 ||
      this.outbox.hasWaiting || this.peers.inbox.size > 0;
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
    if (again || this.peers.inbox.size > 0 || spin) this.outbox.flushDue(this.now, this.config.batchDelayMs);
    else this.outbox.flushAll();
    const backlog = this.peers.inbox.size > 0;
    Atomics.store(s.busy, this.workerIndex, backlog || this.outbox.hasWaiting || this.outbox.pendingTuples > 0 || this.asyncPending > 0 ? 1 : 0);
    if (again || backlog) this.schedule();
    else this.idleWait.wait(this.now - this.lastWorkAt, this.active, this.config.idleSpinMs, idle || this.outbox.hasWaiting);
  };

  reportError(counters: TaskCounters, error: unknown): void {
    this.errors.reportError(counters, error);
  }

  failRun(counters: TaskCounters, error: unknown): void {
    this.errors.failRun(counters, error);
  }

  /** Tuples waiting in the local queue. */
  get queued(): number {
    return this.local.size;
  }

  /** Handle a supervisor command. */
  control(msg: MainToWorker): Promise<void> {
    return command(this, msg);
  }

  metrics(): WorkerMetrics {
    return workerMetrics(this);
  }
}
