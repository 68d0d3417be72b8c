/**
 * The threads of one run: spawns a worker per index with a MessageChannel to every peer,
 * replaces a thread that died (new channels to the survivors, which are told to rewire),
 * and forwards each thread's messages to the supervisor. In-thread mode runs the single
 * worker host on the calling thread with the same messages, for tests and embedding.
 */
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import type { Clock } from '../api/clock.js';
import type { Topology } from '../topology/topology.js';
import type { Plan } from '../topology/plan.js';
import type { Assignment, MainToWorker, WorkerInit, WorkerToMain } from './messages.js';
import type { RuntimeConfig } from './config.js';
import type { SharedState } from './shared-state.js';
import { WorkerHost } from './worker/host.js';

export interface PoolEvents {
  message(msg: WorkerToMain): void;
  /** A thread ended without being asked to (crash, or a chaos kill). */
  died(workerIndex: number, error: string | null): void;
}

interface Slot {
  worker: Worker | null;
  host: WorkerHost | null;
  alive: boolean;
}

export class WorkerPool {
  private readonly slots: Slot[] = [];
  private closing = false;
  /** A thread that has loaded the bundle and waits to replace one that dies. */
  private spare: Worker | null = null;

  constructor(
    /** In-thread runs may bring their own clock (simulated time); worker threads read real time. */
    private readonly mode: { bundlePath: string } | { inThread: Topology; clock?: Clock | undefined },
    private readonly plan: Plan,
    private readonly assignment: Assignment,
    private readonly config: RuntimeConfig,
    private readonly shared: SharedState,
    private readonly events: PoolEvents,
  ) {}

  get size(): number {
    return this.assignment.workers;
  }

  isAlive(w: number): boolean {
    return this.slots[w]?.alive === true;
  }

  start(): void {
    const n = this.assignment.workers;
    const ports: Array<Array<MessagePort | undefined>> = Array.from({ length: n }, () => new Array(n).fill(undefined));
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        const ch = new MessageChannel();
        ports[i]![j] = ch.port1;
        ports[j]![i] = ch.port2;
      }
    }
    for (let w = 0; w < n; w++) this.spawn(w, ports[w]!, false);
  }

  private newThread(init: WorkerInit | undefined, transfer: MessagePort[]): Worker {
    const mode = this.mode as { bundlePath: string };
    return new Worker(mode.bundlePath, {
      workerData: { topoWorker: true, init },
      transferList: transfer,
      // Stack traces of user code point into the user's files, not the bundle.
      execArgv: [...process.execArgv, '--enable-source-maps'],
      stderr: false,
      stdout: false,
    });
  }

  /** Keep one warm standby so a restart costs a message, not a thread boot (~100 ms under load). */
  private ensureSpare(): void {
    if (this.spare === null && !this.closing && !('inThread' in this.mode)) {
      const spare = this.newThread(undefined, []);
      spare.unref();
      spare.on('error', () => {});
      spare.on('exit', () => {
        if (this.spare === spare) this.spare = null;
      });
      this.spare = spare;
    }
  }

  /**
   * Start a replacement for a dead thread with fresh channels to every live peer.
   * `activate` is false once the run is ending: its spouts must not start emitting again.
   */
  restart(w: number, activate: boolean): void {
    const n = this.assignment.workers;
    const mine: Array<MessagePort | undefined> = new Array(n).fill(undefined);
    for (let p = 0; p < n; p++) {
      if (p === w || !this.isAlive(p)) continue;
      const ch = new MessageChannel();
      mine[p] = ch.port1;
      this.post(p, { type: 'rewire', peer: w, port: ch.port2 }, [ch.port2]);
    }
    this.spawn(w, mine, activate);
  }

  private spawn(w: number, peers: Array<MessagePort | undefined>, restart: boolean): void {
    const init: WorkerInit = {
      workerIndex: w, plan: this.plan, assignment: this.assignment, config: this.config,
      sharedState: this.shared.sab, peers, restart,
    };
    if ('inThread' in this.mode) {
      const host = new WorkerHost(init, this.mode.inThread, {
        // Asynchronous like a real port, so the supervisor never re-enters itself.
        post: (m) => setImmediate(() => this.events.message(m)),
      }, this.mode.clock);
      this.slots[w] = { worker: null, host, alive: true };
      void host.start();
      return;
    }
    const transfer = peers.filter((p): p is MessagePort => p !== undefined);
    let worker: Worker;
    if (restart && this.spare !== null) {
      worker = this.spare;
      this.spare = null;
      worker.removeAllListeners();
      worker.ref();
      worker.postMessage({ type: 'init', init }, transfer);
    } else worker = this.newThread(init, transfer);
    this.ensureSpare();
    const slot: Slot = { worker, host: null, alive: true };
    this.slots[w] = slot;
    let lastError: string | null = null;
    worker.on('message', (m: WorkerToMain) => this.events.message(m));
    worker.on('error', (err) => {
      lastError = err instanceof Error ? (err.stack ?? err.message) : String(err);
    });
    worker.on('exit', () => {
      if (this.slots[w] !== slot) return;
      slot.alive = false;
      if (!this.closing) this.events.died(w, lastError);
    });
  }

  post(w: number, msg: MainToWorker, transfer: MessagePort[] = []): void {
    const s = this.slots[w];
    if (!s || !s.alive) return;
    if (s.host) void s.host.control(msg);
    else s.worker!.postMessage(msg, transfer);
  }

  /** Post to every live thread but `except`. */
  broadcast(msg: MainToWorker, except = -1): void {
    for (let w = 0; w < this.slots.length; w++) if (w !== except) this.post(w, msg);
  }

  /** Kill a thread as chaos does (the pool reports it as died). */
  kill(w: number): void {
    void this.slots[w]?.worker?.terminate();
  }

  async terminateAll(): Promise<void> {
    this.closing = true;
    const spare = this.spare;
    this.spare = null;
    if (spare) await spare.terminate();
    await Promise.all(this.slots.map(async (s) => {
      s.alive = false;
      if (s.worker) await s.worker.terminate();
    }));
  }
}
