/**
 * The ids of the inputs a task applied recently (option `idField`), kept with its state so
 * a replay of an input whose effect is already in the state is recognised and not applied
 * again. Replays of that kind come from a tree failing after this task applied the input:
 * another thread of the tree died, a downstream bolt failed, or the ack was lost with the
 * process. Each id is recorded with the checkpoint that committed it and dropped
 * `retention` checkpoints later: checkpoints advance only while the topology runs, so a
 * process that is down for a day still recognises, at restart, what it applied before.
 */

/** The id changes of one snapshot: id, txid, id, txid... to write, and ids to remove. */
export interface IdSnapshot {
  readonly puts: string[];
  readonly deletes: string[];
  readonly fresh: readonly string[];
  readonly txid: number;
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

  /** The fresh ids, stamped with `txid`, and the ids `retention` checkpoints old, to drop. */
  snapshot(txid: number): IdSnapshot {
    const fresh = this.fresh;
    this.fresh = [];
    const tx = String(txid);
    const puts: string[] = new Array<string>(fresh.length * 2);
    for (let i = 0; i < fresh.length; i++) {
      puts[2 * i] = fresh[i]!;
      puts[2 * i + 1] = tx;
      this.record(fresh[i]!, txid);
    }
    const deletes: string[] = [];
    for (const [t, ids] of this.byTx) {
      if (t > txid - this.retention) continue;
      for (const id of ids) if (this.txOf.get(id) === t) deletes.push(id);
    }
    return { puts, deletes, fresh, txid };
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
    for (const id of s.deletes) this.txOf.delete(id);
    for (const t of [...this.byTx.keys()]) if (t <= s.txid - this.retention) this.byTx.delete(t);
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
