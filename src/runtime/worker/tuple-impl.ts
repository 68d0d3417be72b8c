/**
 * The runtime's tuple. Besides values and provenance it carries the tracking state the
 * acker protocol needs: for each tree root the tuple belongs to, its edge id (two int32
 * halves) and the XOR of the edge ids of everything emitted anchored to it.
 */
import type { Tuple } from '../../api/tuple.js';
import type { StreamInfo } from './streams.js';

export class TupleImpl implements Tuple {
  /**
   * Flat [root, edgeHi, edgeLo, root, edgeHi, edgeLo, ...] or null when untracked.
   * Kept flat so the common one-root case is one small array.
   */
  readonly anchors: number[] | null;
  /**
   * XOR of the edge ids of every tuple emitted anchored to this one (as Storm, one value
   * serves all roots: each child inherits every root of its anchor with the same edge id).
   */
  ackHi = 0;
  ackLo = 0;
  /**
   * Bit mask of the worker threads this tuple's anchored children were sent to. It rides on
   * the ack so the acker can fail at once every tree that touched a thread that died,
   * instead of letting them wait for the message timeout.
   */
  touched = 0;
  /** Set on ack or fail so a second call is ignored instead of corrupting the XOR. */
  settled = false;

  constructor(
    readonly info: StreamInfo,
    readonly sourceTask: number,
    readonly values: unknown[],
    anchors: number[] | null,
  ) {
    this.anchors = anchors;
  }

  get fields(): readonly string[] {
    return this.info.fields;
  }
  get sourceComponent(): string {
    return this.info.component;
  }
  get sourceStreamId(): string {
    return this.info.stream;
  }

  getValue(index: number): unknown {
    return this.values[index];
  }

  fieldIndex(field: string): number {
    const i = this.info.fieldIndex.get(field);
    if (i === undefined) {
      throw new Error(
        `field '${field}' is not declared on stream '${this.info.stream}' of '${this.info.component}' ` +
          `(fields: ${this.info.fields.join(', ') || 'none'})`,
      );
    }
    return i;
  }

  getValueByField(field: string): unknown {
    return this.values[this.fieldIndex(field)];
  }
  getString(index: number): string {
    return this.values[index] as string;
  }
  getStringByField(field: string): string {
    return this.values[this.fieldIndex(field)] as string;
  }
  getNumberByField(field: string): number {
    return this.values[this.fieldIndex(field)] as number;
  }
  contains(field: string): boolean {
    return this.info.fieldIndex.has(field);
  }
  isTick(): boolean {
    return this.info.stream === '__tick' && this.info.component === '__system';
  }

  toString(): string {
    return `source: ${this.info.component}:${this.sourceTask}, stream: ${this.info.stream}, values: ${JSON.stringify(this.values)}`;
  }
}
