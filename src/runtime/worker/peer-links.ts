/**
 * A worker's channels to its peer threads, incoming side: one MessagePort per peer, listened
 * to once every task is ready. A frame that arrives is only queued in the inbox (see
 * work-queues.ts) and the thread marked busy; the loop executes a few per round. Also what
 * a peer's death or replacement does to its channel.
 */
import type { MessagePort } from 'node:worker_threads';
import type { SharedState } from '../shared-state.js';
import type { Outbox } from '../transport/outbox.js';
import { Inbox } from './work-queues.js';

export class PeerLinks {
  /** Per peer: its port (undefined for this thread, and for a dead peer not replaced yet). */
  readonly ports: Array<MessagePort | undefined>;
  readonly inbox = new Inbox();
  private outbox!: Outbox;
  /** Ports are listened to only once every task is ready (a rewire may arrive before). */
  private started = false;

  constructor(
    private readonly shared: SharedState,
    private readonly self: number,
    peers: ReadonlyArray<MessagePort | undefined>,
    /** A frame was queued: make sure the loop runs. */
    private readonly arrived: () => void,
  ) {
    this.ports = [...peers];
  }

  /** The outbox sending on these ports (it shares the `ports` array). */
  sendWith(outbox: Outbox): void {
    this.outbox = outbox;
  }

  /** Every task is ready: listen on every port. */
  start(): void {
    this.started = true;
    this.ports.forEach((port, peer) => port && this.listen(peer, port));
  }

  private listen(peer: number, port: MessagePort): void {
    port.on('message', (frame: Uint8Array) => this.onFrame(peer, frame));
  }

  private onFrame(peer: number, frame: Uint8Array): void {
    this.inbox.push(peer, frame);
    // Busy until a pump has executed the frame and flushed what it emitted.
    Atomics.store(this.shared.busy, this.self, 1);
    this.arrived();
  }

  /** A frame of `peer` has been executed (the sender's in-flight window counts it). */
  processed(peer: number): void {
    Atomics.add(this.shared.processed, peer * this.shared.workers + this.self, 1);
  }

  /**
   * A peer died and is not replaced yet. Until the replacement is wired, frames for the dead
   * thread wait in the outbox (the replays of its trees included): posted into its channel
   * they were lost and waited out the timeout.
   */
  lost(peer: number): void {
    this.ports[peer]?.close();
    this.outbox.peerLost(peer);
  }

  /** A peer was replaced: its new channel. Returns whether it is listened to already. */
  rewire(peer: number, port: MessagePort): boolean {
    this.ports[peer]?.close();
    this.ports[peer] = port;
    this.outbox.replacePort(peer, port);
    Atomics.store(this.shared.processed, peer * this.shared.workers + this.self, 0);
    if (!this.started) return false;
    this.listen(peer, port);
    return true;
  }
}
