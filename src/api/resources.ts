/**
 * A resource shared by the tasks of one worker thread (see builder.addSharedResource and
 * TopologyContext.getSharedResource). `create` may return a promise; every task then gets the
 * same promise and awaits it. `close` gets the resource (awaited) when the thread closes.
 */
export interface SharedResourceSpec<T = unknown> {
  create(): T;
  close?(resource: Awaited<T>): void | Promise<void>;
}
