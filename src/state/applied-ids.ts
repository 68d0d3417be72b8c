/**
 * The ids of the inputs a task applied recently (option `idField`), kept with its state so
 * a replay of an input whose effect is already in the state is recognised and not applied
 * again. Replays of that kind come from a tree failing after this task applied the input:
 * another thread of the tree died, a downstream bolt failed, or the ack was lost with the
 * process. Each id is recorded with the checkpoint that committed it and dropped
 * `retention` checkpoints later: checkpoints advance only while the topology runs, so a
 * process that is down for a day still recognises, at restart, what it applied before.
 */

/**
 * The id changes of one snapshot: the ids it applied (`fresh`, committed under `txid`), and
 * the earlier checkpoints whose ids are dropped now. A store keeps them per checkpoint (one
 * entry per checkpoint, not per id: src/state/redis-checkpoints.ts), so dropping a
 * checkpoint's ids is one deletion.
 */
export interface IdSnapshot {
  readonly fresh: readonly string[];
  readonly txid: number;
  /** Checkpoints (txids) whose ids are forgotten with this one. */
  readonly dropped: readonly number[];
}

export class AppliedIds {
  private readonly txOf = new Map<string, number>();
  private readonly byTx = new Map<number, string[]>();
  private fresh: string[] = [];

  constructor(private readonly retention: number) {}

  get size(): number {
    return this.txOf.size;
  }

  get changed(): number {
    return this.fresh.length;
  }

  load(entries: Iterable<readonly [string, string]>): void {
    for (const [id, tx] of entries) this.record(id, Number(tx));
  }

  has(id: string): boolean {
    return this.txOf.has(id);
  }

  /** Applied now; committed by the next snapshot. */
  add(id: string): void {
    this.txOf.set(id, -1);
    this.fresh.push(id);
  }

  /**
   * The fresh ids, stamped with `txid`, and the checkpoints `retention` old, whose ids go. An
   * id is in one checkpoint only (it is added only when not held), so a checkpoint's ids go
   * whole.
   */
  snapshot(txid: number): IdSnapshot {
    const fresh = this.fresh;
    this.fresh = [];
    for (let i = 0; i < fresh.length; i++) this.record(fresh[i]!, txid);
    const dropped: number[] = [];
    for (const t of this.byTx.keys()) if (t <= txid - this.retention) dropped.push(t);
    return { fresh, txid, dropped };
  }

  /** The snapshot did not commit: its ids are fresh again, its drops not done. */
  unsnapshot(s: IdSnapshot): void {
    const bucket = this.byTx.get(s.txid);
    if (bucket) this.byTx.delete(s.txid);
    for (const id of s.fresh) this.txOf.set(id, -1);
    this.fresh = s.fresh.concat(this.fresh);
  }

  /** The snapshot committed: forget what it dropped. */
  committed(s: IdSnapshot): void {
    for (const t of s.dropped) {
      for (const id of this.byTx.get(t) ?? []) if (this.txOf.get(id) === t) this.txOf.delete(id);
      this.byTx.delete(t);
    }
  }

  private record(id: string, txid: number): void {
    this.txOf.set(id, txid);
    let b = this.byTx.get(txid);
    if (b === undefined) this.byTx.set(txid, (b = []));
    b.push(id);
  }
}

/** Reads option idField from inputs, the field's index cached per stream (one fields array per stream). */
export class IdReader {
  private fields: readonly string[] | null = null;
  private index = -1;
  constructor(private readonly field: string) {}

  /** The id as a string, or what is wrong with it. */
  read(t: { readonly fields: readonly string[]; readonly values: readonly unknown[] }): string | { problem: string } {
    if (t.fields !== this.fields) {
      this.fields = t.fields;
      this.index = t.fields.indexOf(this.field);
    }
    if (this.index < 0) return { problem: `no usable idField '${this.field}' (the stream has no such field)` };
    const v = t.values[this.index];
    if (typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v))) return String(v);
    return { problem: `no usable idField '${this.field}' (got ${v === null ? 'null' : typeof v}, not a string or finite number)` };
  }
}
