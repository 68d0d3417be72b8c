/**
 * Drives a RedisStreamSpout outside a topology, as the runtime does: open, activate, call
 * `nextTuple` from a 1 ms timer (the runtime's idle poll), and record what it emits and
 * reports. Tests then ack or fail by message id, against a real redis-server.
 */
import { Redis } from 'ioredis';
import type { Config, MessageId } from '../../src/api/components.js';
import type { TopologyContext } from '../../src/api/context.js';
import type { SpoutOutputCollector } from '../../src/api/collectors.js';
import { RedisStreamSpout, type RedisStreamSpoutOptions } from '../../src/spouts/redis-stream-spout.js';

export interface Emitted {
  readonly values: unknown[];
  readonly msgId: string;
}

export class SpoutDriver {
  readonly spout: RedisStreamSpout;
  readonly emitted: Emitted[] = [];
  readonly errors: string[] = [];
  private timer: NodeJS.Timeout | null = null;
  nextTupleCalls = 0;

  constructor(private readonly config: Config, opts: RedisStreamSpoutOptions = {}, readonly taskId = 1) {
    this.spout = new RedisStreamSpout(opts);
  }

  async open(): Promise<void> {
    const collector: SpoutOutputCollector = {
      emit: (values, msgId) => void this.emitted.push({ values, msgId: String(msgId) }),
      emitDirect: () => {
        throw new Error('not used');
      },
      reportError: (e) => void this.errors.push((e as Error).message),
      deadLetter: (_msgId, reason) => void this.errors.push(reason),
    };
    const context = {
      topologyName: 't', componentId: 'lines', taskId: this.taskId, taskIndex: 0, workerIndex: 0,
      getComponentTasks: () => [this.taskId], getComponentOutputFields: () => ['line', 'id'], getComponentId: () => 'lines',
    } as unknown as TopologyContext;
    await this.spout.open({ 'topology.name': 't', ...this.config }, context, collector);
    this.spout.activate();
    // The runtime re-polls an idle spout every millisecond.
    this.timer = setInterval(() => {
      for (let i = 0; i < 100; i++) {
        const before = this.emitted.length;
        this.nextTupleCalls++;
        this.spout.nextTuple();
        if (this.emitted.length === before) break;
      }
    }, 1);
  }

  ack(id: MessageId): void {
    this.spout.ack(id);
  }

  fail(id: MessageId): void {
    this.spout.fail(id);
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.spout.close();
  }
}

/** Poll `cond` every 20 ms until it holds, or throw naming `what` after `ms`. */
export async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** XADD `n` entries `{line: <prefix><i>}`; returns their ids. */
export async function addLines(r: Redis, stream: string, n: number, prefix = 'line-'): Promise<string[]> {
  const p = r.pipeline();
  for (let i = 0; i < n; i++) p.xadd(stream, '*', 'line', `${prefix}${i}`);
  return ((await p.exec()) ?? []).map(([err, id]) => {
    if (err) throw err;
    return id as string;
  });
}

/** Pending entries of a group: count, and per consumer. */
export async function pendingOf(r: Redis, stream: string, group: string): Promise<{ count: number; consumers: Record<string, number> }> {
  const [count, , , consumers] = (await r.xpending(stream, group)) as [number, string | null, string | null, [string, string][] | null];
  return { count: Number(count), consumers: Object.fromEntries((consumers ?? []).map(([c, n]) => [c, Number(n)])) };
}

/** Calls per command since the last CONFIG RESETSTAT, from INFO commandstats. */
export async function commandCalls(r: Redis): Promise<Record<string, number>> {
  const text = await r.info('commandstats');
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) out[m[1]!] = Number(m[2]);
  return out;
}
