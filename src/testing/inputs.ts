/**
 * The input side of `runBolt`: the given tuples in one global order, split by source
 * component and stream, and the ack/fail outcome of each. Kept apart from run-bolt.ts
 * so the checks on what a test passed in read on their own.
 */
import { DEFAULT_STREAM } from '../api/tuple.js';

/** One input tuple for `runBolt`. */
export interface BoltInput {
  readonly values: readonly unknown[];
  /** Field names (default `v0`, `v1`, ...); must agree for every input of one source and stream. */
  readonly fields?: readonly string[];
  /** Stream id (default "default"). */
  readonly stream?: string;
  /** Source component id (default "source"). */
  readonly source?: string;
}

const DEFAULT_SOURCE = 'source';

const sourceOf = (t: BoltInput): string => t.source ?? DEFAULT_SOURCE;

/**
 * Source -> stream -> fields, checked: the builder would reject a mismatch later with a
 * message about spouts the test never wrote, so say it in the test's own terms here.
 */
export function inputStreams(list: readonly BoltInput[]): Map<string, Map<string, readonly string[]>> {
  const out = new Map<string, Map<string, readonly string[]>>();
  list.forEach((t, i) => {
    if (!Array.isArray(t.values)) throw new Error(`runBolt: input ${i} has no values array`);
    const source = sourceOf(t);
    const stream = t.stream ?? DEFAULT_STREAM;
    if (source === '' || source.startsWith('__') || source === 'bolt') {
      throw new Error(`runBolt: input ${i} has source '${source}'; use a non-empty id other than 'bolt' not starting with '__'`);
    }
    const fields = t.fields ?? t.values.map((_, k) => `v${k}`);
    if (fields.length !== t.values.length) {
      throw new Error(`runBolt: input ${i} has ${t.values.length} value(s) but ${fields.length} field(s) (${fields.join(', ')})`);
    }
    const streams = out.get(source) ?? new Map<string, readonly string[]>();
    out.set(source, streams);
    const known = streams.get(stream);
    if (known === undefined) streams.set(stream, [...fields]);
    else if (known.join('\u0000') !== fields.join('\u0000')) {
      throw new Error(`runBolt: input ${i} gives fields (${fields.join(', ')}) for '${source}' stream '${stream}', earlier inputs gave (${known.join(', ')})`);
    }
  });
  return out;
}

/** Inputs handed out in order to whichever source owns the next one, and their outcomes. */
export class OrderedInputs {
  readonly list: readonly BoltInput[];
  readonly acked: number[] = [];
  readonly failed: number[] = [];
  private readonly streams: Map<string, Map<string, readonly string[]>>;
  private readonly settled = new Set<number>();
  private next = 0;

  constructor(list: readonly BoltInput[]) {
    this.list = [...list];
    this.streams = inputStreams(this.list);
  }

  sources(): string[] {
    return [...this.streams.keys()];
  }

  streamsOf(source: string): ReadonlyMap<string, readonly string[]> {
    return this.streams.get(source) ?? new Map();
  }

  /** The next input when it belongs to `source`; other sources wait their turn (keeps the order). */
  takeFor(source: string): { input: BoltInput; index: number } | undefined {
    if (this.next >= this.list.length || sourceOf(this.list[this.next]!) !== source) return undefined;
    const index = this.next++;
    return { input: this.list[index]!, index };
  }

  settle(index: number, ok: boolean): void {
    if (this.settled.has(index)) return;
    this.settled.add(index);
    (ok ? this.acked : this.failed).push(index);
  }

  isSettled(index: number): boolean {
    return this.settled.has(index);
  }

  get drained(): boolean {
    return this.next >= this.list.length;
  }

  get allSettled(): boolean {
    return this.settled.size === this.list.length;
  }
}
