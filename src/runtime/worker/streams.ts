/**
 * Every (component, stream) pair gets a small integer code at start, identical in every
 * thread, so a frame carries a number instead of two strings, and a tuple shares one
 * read-only field table per stream instead of a map per tuple.
 */
import type { Plan } from '../../topology/plan.js';
import { SYSTEM_COMPONENT, TICK_STREAM } from '../../api/tuple.js';
import { WORKER_LOST_STREAM } from '../../topology/acker-protocol.js';

export interface StreamInfo {
  readonly code: number;
  readonly component: string;
  readonly stream: string;
  readonly fields: readonly string[];
  readonly fieldIndex: ReadonlyMap<string, number>;
  readonly direct: boolean;
}

export class StreamTable {
  readonly byCode: StreamInfo[] = [];
  private readonly byKey = new Map<string, StreamInfo>();
  readonly tick: StreamInfo;
  readonly workerLost: StreamInfo;

  constructor(plan: Plan) {
    for (const c of plan.components) {
      for (const s of Object.values(c.streams)) this.add(c.id, s.id, s.fields, s.direct);
    }
    this.tick = this.add(SYSTEM_COMPONENT, TICK_STREAM, [], false);
    this.workerLost = this.add(SYSTEM_COMPONENT, WORKER_LOST_STREAM, ['worker'], false);
  }

  get(component: string, stream: string): StreamInfo | undefined {
    return this.byKey.get(`${component}\u0000${stream}`);
  }

  private add(component: string, stream: string, fields: readonly string[], direct: boolean): StreamInfo {
    const info: StreamInfo = {
      code: this.byCode.length,
      component,
      stream,
      fields,
      fieldIndex: new Map(fields.map((f, i) => [f, i])),
      direct,
    };
    this.byCode.push(info);
    this.byKey.set(`${component}\u0000${stream}`, info);
    return info;
  }
}
