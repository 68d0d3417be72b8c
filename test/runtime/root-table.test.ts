/**
 * The acker's open-addressing table against a Map model: random inserts, XOR updates and
 * removals (backward-shift deletion is the easy part to get wrong), through several growths,
 * with roots shaped as the runtime makes them (task * 2^32 + seq, clustered seqs).
 */
import { describe, expect, it } from 'vitest';
import { RootTable } from '../../src/runtime/acker/root-table.js';
import { seededRandom } from '../helpers/random.js';

const FACTOR = 4294967296;

describe('RootTable', () => {
  for (const seed of [1, 2, 3]) {
    it(`matches a Map model over random operations (seed ${seed})`, () => {
      const rnd = seededRandom(seed);
      const table = new RootTable(16);
      const model = new Map<number, { hi: number; workers: number }>();
      const live: number[] = [];
      const lost: number[] = [];
      const kept: number[] = [];
      for (let op = 0; op < 60_000; op++) {
        const r = rnd();
        if (r < 0.55 || live.length === 0) {
          // Consecutive sequences per task, as spouts allocate them: long probe runs.
          const root = (1 + Math.floor(rnd() * 3)) * FACTOR + (Math.floor(rnd() * 5000) + op);
          const hi = (rnd() * 0x7fffffff) | 0;
          const i = table.upsert(root, 7);
          table.hi[i] ^= hi;
          table.workers[i] |= 1 << (op % 5);
          const m = model.get(root);
          if (m) {
            m.hi ^= hi;
            m.workers |= 1 << (op % 5);
          } else {
            model.set(root, { hi, workers: 1 << (op % 5) });
            live.push(root);
          }
        } else {
          const k = Math.floor(rnd() * live.length);
          const root = live[k]!;
          live[k] = live[live.length - 1]!;
          live.pop();
          const slot = table.find(root);
          if (slot < 0) lost.push(root);
          else table.remove(slot);
          model.delete(root);
          if (table.find(root) !== -1) kept.push(root);
        }
      }
      expect(lost, 'roots not found before removal').toEqual([]);
      expect(kept, 'roots still found after removal').toEqual([]);
      expect(table.size).toBe(model.size);
      expect(table.capacity).toBeGreaterThan(16);
      for (const [root, m] of model) {
        const i = table.find(root);
        expect(i).toBeGreaterThanOrEqual(0);
        expect(table.hi[i]).toBe(m.hi);
        expect(table.workers[i]).toBe(m.workers);
        expect(table.spoutTask[i]).toBe(-1);
        expect(table.gen[i]).toBe(7);
      }
      let occupied = 0;
      for (let i = 0; i < table.capacity; i++) if (table.roots[i] !== 0) occupied++;
      expect(occupied).toBe(model.size);
    });
  }

  it('clearSlots() with every entry\'s slot forgets every root and the table is reusable', () => {
    const table = new RootTable();
    const roots: number[] = [];
    for (let s = 0; s < 3000; s++) {
      table.upsert(5 * FACTOR + s, 0);
      roots.push(5 * FACTOR + s);
    }
    // Slots are taken after the last insert (growth moves entries), as the coalescer does.
    table.clearSlots(roots.map((r) => table.find(r)));
    expect(table.size).toBe(0);
    expect(table.find(5 * FACTOR + 10)).toBe(-1);
    let occupied = 0;
    for (let i = 0; i < table.capacity; i++) if (table.roots[i] !== 0) occupied++;
    expect(occupied).toBe(0);
    const i = table.upsert(5 * FACTOR + 10, 3);
    expect(table.hi[i]).toBe(0);
    expect(table.gen[i]).toBe(3);
    expect(table.size).toBe(1);
  });
});
