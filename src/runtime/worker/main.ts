/**
 * Worker thread entry, kept thin (as piscina's): it only wires the thread's parent port to
 * a WorkerHost. It is bundled together with the user's topology module, so importing that
 * bundle on the main thread does nothing here.
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { Topology } from '../../topology/topology.js';
import type { MainToWorker, WorkerInit, WorkerToMain } from '../messages.js';
import { WorkerHost } from './host.js';

export function workerMain(topology: Topology): void {
  if (isMainThread || parentPort === null || (workerData as { topoWorker?: boolean })?.topoWorker !== true) return;
  process.setSourceMapsEnabled(true);
  const port = parentPort;
  const init = (workerData as { init: WorkerInit }).init;
  const host = new WorkerHost(init, topology, { post: (m: WorkerToMain) => port.postMessage(m) });
  port.on('message', (m: MainToWorker) => {
    void host.control(m);
  });
  void host.start();
}
