/**
 * Per-worker-thread shared resources (Storm's worker resources, `getResource`): an object the
 * topology declares once (`builder.addSharedResource(name, create, close)`) and every task on
 * a thread shares through `context.getSharedResource(name)`: one Redis connection, one cache,
 * one pool per thread instead of one per task. Created on a thread's first request (so a
 * thread whose tasks never ask pays nothing) and closed once when the thread closes, after
 * every task's cleanup/close. A thread that dies takes its resources with it; its replacement
 * creates its own.
 */
import type { SharedResourceSpec } from '../../api/resources.js';

export class SharedResources {
  private readonly made = new Map<string, unknown>();

  constructor(private readonly specs: ReadonlyMap<string, SharedResourceSpec>) {}

  get(name: string): unknown {
    if (this.made.has(name)) return this.made.get(name);
    const spec = this.specs.get(name);
    if (spec === undefined) {
      const known = [...this.specs.keys()];
      throw new Error(`no shared resource '${name}' (declared: ${known.length > 0 ? known.join(', ') : 'none'}; declare it with builder.addSharedResource)`);
    }
    const r = spec.create();
    this.made.set(name, r);
    return r;
  }

  /** Closes every resource made on this thread, in reverse order of creation; errors go to `report`. */
  async closeAll(report: (err: unknown) => void): Promise<void> {
    const made = [...this.made].reverse();
    this.made.clear();
    for (const [name, r] of made) {
      const close = this.specs.get(name)?.close;
      if (close === undefined) continue;
      try {
        await close(await r);
      } catch (err) {
        report(new Error(`closing shared resource '${name}' failed: ${err instanceof Error ? err.message : String(err)}`));
      }
    }
  }
}
