/**
 * Merged visitor identities for the batch layer: the connected components of all equiv edges
 * (equiv.ts), recomputed from every edge on each `topo batch` run, each component named by its
 * least identifier (string order). The result maps every identifier that is not its
 * component's name to that name; an identifier in no edge is its own person.
 *
 * Union-find, not the book's iterative normalisation. The book runs user-identifier
 * normalisation as repeated MapReduce passes (each maps an identifier to the least one among
 * its neighbours, until nothing changes) because its edges live on a cluster and no machine
 * holds them all: that takes as many full passes over the edges as the longest chain is long.
 * Here the edges must fit one machine anyway (the mapping is handed to every pool thread),
 * and union-find with path halving and union by size merges them in one pass, in close to
 * linear time, whatever the chains' lengths. Naming a component by its least identifier (as
 * the book does) keeps the result independent of the order edges are read in, so a run
 * over the same edges always counts the same persons.
 */
import type { EquivRecord } from './equiv.js';

/** Identifier -> the name of its person (its component's least identifier), for identifiers that are not that name. */
export type Identities = ReadonlyMap<string, string>;

export class IdentityGraph {
  private readonly index = new Map<string, number>();
  private readonly names: string[] = [];
  private readonly parent: number[] = [];
  private readonly size: number[] = [];

  /** Identifiers `a` and `b` are one person. */
  union(a: string, b: string): void {
    let x = this.find(this.indexOf(a));
    let y = this.find(this.indexOf(b));
    if (x === y) return;
    if (this.size[x]! < this.size[y]!) [x, y] = [y, x];
    this.parent[y] = x;
    this.size[x]! += this.size[y]!;
  }

  /** Every merged identifier's person (see {@link Identities}). */
  identities(): Map<string, string> {
    const least = new Map<number, string>();
    const roots = this.names.map((name, i) => {
      const r = this.find(i);
      const l = least.get(r);
      if (l === undefined || name < l) least.set(r, name);
      return r;
    });
    const out = new Map<string, string>();
    this.names.forEach((name, i) => {
      const person = least.get(roots[i]!)!;
      if (person !== name) out.set(name, person);
    });
    return out;
  }

  private indexOf(name: string): number {
    let i = this.index.get(name);
    if (i === undefined) {
      i = this.names.length;
      this.index.set(name, i);
      this.names.push(name);
      this.parent.push(i);
      this.size.push(1);
    }
    return i;
  }

  private find(i: number): number {
    const p = this.parent;
    // Path halving: every other node on the way points to its grandparent.
    while (p[i] !== i) {
      p[i] = p[p[i]!]!;
      i = p[i]!;
    }
    return i;
  }
}

/** The `identities` side input of the pageviews batch input: every edge of the `equiv` dataset, merged. */
export async function mergeIdentities(edges: AsyncIterable<EquivRecord>): Promise<Map<string, string>> {
  const g = new IdentityGraph();
  for await (const e of edges) g.union(e.a, e.b);
  return g.identities();
}
