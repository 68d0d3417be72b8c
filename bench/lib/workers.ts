/**
 * Worker "roles" for a single-file bench bundle.
 *
 * bench/run.js bundles the whole harness into one .mjs; worker threads are
 * started from that same file and told which role to play through
 * workerData. That avoids a second build step (or a TS loader) per worker
 * script. Roles register themselves at import time; the bundle entry calls
 * `runRoleIfWorker()` before doing anything else.
 */
import { Worker, isMainThread, workerData, parentPort } from 'node:worker_threads';
import type { TransferListItem } from 'node:worker_threads';

export type Role = (data: unknown, port: NonNullable<typeof parentPort>) => void | Promise<void>;

const roles = new Map<string, Role>();
let entryUrl: URL | undefined;

export function registerRole(name: string, role: Role): void {
  roles.set(name, role);
}

/** Called once by the bundle entry with its own import.meta.url. */
export function setWorkerEntry(url: string): void {
  entryUrl = new URL(url);
}

export function spawnRole(name: string, data: unknown, transferList: TransferListItem[] = []): Worker {
  if (!entryUrl) throw new Error('setWorkerEntry() was not called by the bundle entry');
  return new Worker(entryUrl, { workerData: { role: name, data }, transferList });
}

/** Returns true when this thread is a worker (and its role has been started). */
export function runRoleIfWorker(): boolean {
  if (isMainThread || parentPort === null) return false;
  const { role, data } = workerData as { role: string; data: unknown };
  const fn = roles.get(role);
  if (!fn) throw new Error(`unknown worker role ${role}`);
  const port = parentPort;
  Promise.resolve(fn(data, port)).catch((err: unknown) => {
    // Surface the failure to the parent's 'error' handler with a real stack.
    setImmediate(() => {
      throw err;
    });
  });
  return true;
}

/** Resolves with the next message from `w`, rejecting on error or early exit. */
export function nextMessage<T>(w: Worker): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onMsg = (m: T): void => {
      cleanup();
      resolve(m);
    };
    const onErr = (e: Error): void => {
      cleanup();
      reject(e);
    };
    const onExit = (code: number): void => {
      cleanup();
      reject(new Error(`worker exited with code ${code} before replying`));
    };
    const cleanup = (): void => {
      w.off('message', onMsg);
      w.off('error', onErr);
      w.off('exit', onExit);
    };
    w.on('message', onMsg);
    w.on('error', onErr);
    w.on('exit', onExit);
  });
}

/** Wall clock comparable across threads (each thread's performance.now() has its own origin). */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}
