/**
 * Merged identities (topologies/pageviews/identities.ts): connected components of equiv
 * edges, each named by its least identifier whatever order the edges come in; and the equiv
 * format and dataset (equiv.ts), whose bad edges are rejects with a reason.
 */
import { describe, expect, it } from 'vitest';
import { factProblem } from '../../src/batch/index.js';
import { IdentityGraph, mergeIdentities } from '../../topologies/pageviews/identities.js';
import { equivDataset, equivFormat, type EquivRecord } from '../../topologies/pageviews/equiv.js';
import { seededRandom } from '../helpers/random.js';

const at = { id: 'edges.jsonl:1', source: 'edges.jsonl', lineNumber: 1, options: {} };

function merged(edges: ReadonlyArray<readonly [string, string]>): Map<string, string> {
  const g = new IdentityGraph();
  for (const [a, b] of edges) g.union(a, b);
  return g.identities();
}

describe('merged identities', () => {
  it('a chain a~b, b~c is one person, named by its least identifier; identifiers in no edge are absent', () => {
    expect(merged([['b', 'c'], ['a', 'b']])).toEqual(new Map([['b', 'a'], ['c', 'a']]));
    expect(merged([['11.11.11.111', 'sally']])).toEqual(new Map([['sally', '11.11.11.111']]));
    // Two components, one edge repeated, one edge closing a cycle.
    expect(merged([['x', 'y'], ['p', 'q'], ['y', 'z'], ['x', 'y'], ['z', 'x']])).toEqual(new Map([['y', 'x'], ['z', 'x'], ['q', 'p']]));
  });

  it('gives the same persons in any edge order (random graphs against a search of the components)', () => {
    const rnd = seededRandom(15);
    for (let round = 0; round < 50; round++) {
      const n = 2 + Math.floor(rnd() * 40);
      const edges: Array<[string, string]> = [];
      for (let i = Math.floor(rnd() * n); i > 0; i--) {
        const a = Math.floor(rnd() * n), b = Math.floor(rnd() * n);
        if (a !== b) edges.push([`v${a}`, `v${b}`]);
      }
      // Reference: a depth-first search from every identifier, its least reachable one.
      const adj = new Map<string, string[]>();
      for (const [a, b] of edges) {
        adj.set(a, [...(adj.get(a) ?? []), b]);
        adj.set(b, [...(adj.get(b) ?? []), a]);
      }
      const want = new Map<string, string>();
      for (const start of adj.keys()) {
        const seen = new Set([start]);
        const stack = [start];
        while (stack.length > 0) for (const next of adj.get(stack.pop()!)!) if (!seen.has(next)) seen.add(next), stack.push(next);
        const least = [...seen].sort()[0]!;
        if (least !== start) want.set(start, least);
      }
      const shuffled = [...edges].sort(() => rnd() - 0.5).map(([a, b]) => (rnd() < 0.5 ? [b, a] as const : [a, b] as const));
      expect(merged(edges)).toEqual(want);
      expect(merged(shuffled)).toEqual(want);
    }
  });

  it('mergeIdentities reads every edge of the side input', async () => {
    async function* edges(): AsyncGenerator<EquivRecord> {
      yield { id: '1', a: 'c', b: 'b', ts: 0 };
      yield { id: '2', a: 'b', b: 'a', ts: 1 };
    }
    expect(await mergeIdentities(edges())).toEqual(new Map([['b', 'a'], ['c', 'a']]));
  });
});

describe('the equiv format and dataset', () => {
  it('parses an edge, ts as ISO 8601 or epoch ms', () => {
    expect(equivFormat.parse('{"a":"11.11.11.111","b":"sally","ts":"2015-05-20T14:00:00Z"}', at))
      .toEqual({ ok: true, record: { id: 'edges.jsonl:1', a: '11.11.11.111', b: 'sally', ts: Date.UTC(2015, 4, 20, 14) } });
    expect(equivFormat.parse('{"a":"x","b":"y","ts":1432130400000}', at)).toMatchObject({ ok: true, record: { ts: 1432130400000 } });
  });

  it('rejects an edge with a side missing or equal to the other, with the reason', () => {
    const reasons = [
      ['{"a":"sally","ts":1}', "missing 'b': an equiv edge joins two visitor identifiers"],
      ['{"a":"","b":"sally","ts":1}', "missing 'a': an equiv edge joins two visitor identifiers"],
      ['{"a":null,"b":"sally","ts":1}', "missing 'a': an equiv edge joins two visitor identifiers"],
      ['{"a":"sally","b":"sally","ts":1}', `'a' and 'b' are the same identifier ("sally"): an edge to itself merges nothing`],
      ['{"a":7,"b":"sally","ts":1}', "'a' is not a string (a visitor identifier)"],
      ['{"a":"x","b":"y"}', 'missing ts (when the edge was discovered)'],
      ['{"a":"x","b":"y","ts":"yesterday"}', 'ts is not an ISO 8601 date-time'],
      ['[1,2]', 'not a JSON object'],
      ['{"a":', 'not valid JSON'],
    ] as const;
    for (const [line, reason] of reasons) expect(equivFormat.parse(line, at), line).toEqual({ ok: false, reason });
  });

  it('the dataset refuses the same edges read back from disk', () => {
    expect(factProblem(equivDataset, { id: 'e:1', a: 'x', b: 'y', ts: 1 })).toBeNull();
    expect(factProblem(equivDataset, { id: 'e:1', a: 'x', ts: 1 })).toBe("missing 'b': an equiv edge joins two visitor identifiers");
    expect(factProblem(equivDataset, { id: 'e:1', a: 'x', b: 'x', ts: 1 })).toBe(`'a' and 'b' are the same identifier ("x"): an edge to itself merges nothing`);
  });
});
