/**
 * A worker's life as the supervisor drives it: start (tasks opened, channels listened to,
 * ready reported), the supervisor's commands (activate, deactivate, finish a component,
 * close, figures, a peer lost or rewired) and the figures it reports. The loop itself is
 * host.ts's.
 */
import type { MainToWorker } from '../messages.js';
import type { WorkerMetrics } from '../metrics.js';
import { TupleImpl } from './tuple-impl.js';
import type { WorkerHost } from './host.js';

/** Build and start (open/prepare) every task; reports ready or the component that failed. */
export async function startWorker(h: WorkerHost): Promise<void> {
  const w = h.workerIndex;
  // A replacement thread starts from fresh channel counters on its side.
  for (let p = 0; p < h.shared.workers; p++) {
    Atomics.store(h.shared.sent, w * h.shared.workers + p, 0);
    Atomics.store(h.shared.processed, p * h.shared.workers + w, 0);
  }
  const failed = await h.tasks.start(h.topology, h.init.plan, h.init.assignment, h.streams);
  if (failed !== null) return h.errors.startFailed(failed.component, failed.taskId, failed.error);
  h.peers.start();
  h.link.post({ type: 'ready', workerIndex: w });
  if (h.init.restart) void command(h, { type: 'activate' });
}

/** Handle a supervisor command. */
export async function command(h: WorkerHost, msg: MainToWorker): Promise<void> {
  switch (msg.type) {
    case 'activate':
      h.active = true;
      for (const sp of h.tasks.spouts) sp.activate();
      h.ticks.start(h.init.plan, h.init.assignment, h.workerIndex);
      h.schedule();
      return;
    case 'deactivate':
      h.active = false;
      for (const sp of h.tasks.spouts) sp.deactivate();
      return;
    case 'finish':
      await finishComponent(h, msg.component);
      return;
    case 'close':
      await close(h);
      return;
    case 'metrics':
      h.link.post({ type: 'metrics', workerIndex: h.workerIndex, metrics: workerMetrics(h) });
      return;
    case 'workerLost':
      if (!msg.replaced) h.peers.lost(msg.worker);
      for (const ex of h.tasks.ackers()) h.enqueue(ex.taskId, new TupleImpl(h.streams.workerLost, -1, [msg.worker], null));
      // Trees whose acker lived on the lost thread can never complete: fail them now.
      for (const sp of h.tasks.spouts) {
        const acker = h.init.assignment.ackerForSpoutTask[sp.taskId];
        if (acker !== undefined && h.taskWorker[acker] === msg.worker) sp.failAllPending();
      }
      return;
    case 'rewire':
      if (h.peers.rewire(msg.peer, msg.port)) h.schedule();
      return;
  }
}

async function finishComponent(h: WorkerHost, component: string): Promise<void> {
  await h.tasks.finish(component);
  h.schedule();
  h.link.post({ type: 'finished', workerIndex: h.workerIndex, component });
}

async function close(h: WorkerHost): Promise<void> {
  h.ticks.stop();
  h.sim?.detach();
  await h.tasks.closeAll();
  h.drainLocal();
  h.flushAcks();
  h.drainLocal();
  h.outbox.flushAll();
  h.idleWait.stop();
  h.link.post({ type: 'closed', workerIndex: h.workerIndex, metrics: workerMetrics(h) });
}

export function workerMetrics(h: WorkerHost): WorkerMetrics {
  const mem = process.memoryUsage();
  return {
    workerIndex: h.workerIndex, tasks: h.tasks.counters(), completeLatency: h.tasks.completeLatency(),
    rssBytes: mem.rss, heapUsedBytes: mem.heapUsed,
    queueDepth: h.local.size + h.outbox.pendingTuples,
    framesSent: h.outbox.framesSent,
    tuplesSent: h.outbox.tuplesSent,
  };
}
