/**
 * Worker thread entry, kept thin (as piscina's): it only wires the thread's parent port to
 * a WorkerHost. It is bundled together with the user's topology module, so importing that
 * bundle on the main thread does nothing here. A thread started without `init` is a warm
 * standby: it has loaded the bundle and waits for the init of a thread that died.
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { Topology } from '../../topology/topology.js';
import type { MainToWorker, WorkerInit, WorkerToMain } from '../messages.js';
import { WorkerHost } from './host.js';

export function workerMain(topology: Topology): void {
  const data = workerData as { topoWorker?: boolean; init?: WorkerInit } | null;
  if (isMainThread || parentPort === null || data?.topoWorker !== true) return;
  const port = parentPort;
  const boot = (init: WorkerInit): void => {
    const host = new WorkerHost(init, topology, { post: (m: WorkerToMain) => port.postMessage(m) });
    port.on('message', (m: MainToWorker) => {
      void host.control(m);
    });
    void host.start();
  };
  if (data.init) boot(data.init);
  else port.once('message', (m: { type: 'init'; init: WorkerInit }) => boot(m.init));
}
