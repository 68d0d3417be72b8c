import { describe, expect, it } from 'vitest';
import { TaskState } from '../../src/state/task-state.js';

describe('keyed state of one task', () => {
  it('holds values, counters and maps, and records which keys changed', () => {
    const s = new TaskState("bolt 'count'");
    s.put('a', { x: 1 });
    expect(s.increment('n')).toBe(1);
    expect(s.increment('n', 4)).toBe(5);
    s.putField('m', 'f', 'v');
    s.putField('m', 'g', [1, 2]);
    expect(s.get('a')).toEqual({ x: 1 });
    expect(s.get('missing', 7)).toBe(7);
    expect(s.getField('m', 'g')).toEqual([1, 2]);
    expect(s.size).toBe(3);
    expect(s.delete('a')).toBe(true);
    expect(s.delete('a')).toBe(false);
    expect(s.deleteField('m', 'f')).toBe(true);
    const snap = s.snapshot();
    expect(snap.deletes).toEqual(['a']);
    expect(snap.puts).toEqual(['n', '5', 'm', '{"g":[1,2]}']);
    expect(s.changed).toBe(0);
    expect(s.deleteField('m', 'g')).toBe(true); // the last field: the key goes
    expect(s.has('m')).toBe(false);
    expect(s.snapshot().deletes).toEqual(['m']);
  });

  it('undoes exactly the changes of the input that failed', () => {
    const s = new TaskState("bolt 'count'");
    s.begin();
    s.increment('n');
    s.put('o', { a: 1 });
    s.begin();
    s.increment('n');
    s.increment('n');
    s.putField('o', 'b', 2);
    s.put('new', 1);
    s.delete('o');
    s.rollback();
    expect(s.get('n')).toBe(1);
    expect(s.get('o')).toEqual({ a: 1 });
    expect(s.has('new')).toBe(false);
  });

  it('refuses what JSON would not give back, naming the component, the key and where in the value', () => {
    const s = new TaskState("bolt 'count'");
    expect(() => s.put('k', new Map() as never)).toThrow("bolt 'count': state put('k'): a Map cannot be stored as JSON");
    expect(() => s.put('k', { at: new Date() } as never)).toThrow(/put\('k'\): a Date at at cannot be stored/);
    expect(() => s.put('k', [1, Number.NaN])).toThrow(/NaN at \[1\] is not a finite number/);
    expect(() => s.put('k', undefined as never)).toThrow(/undefined cannot be stored \(use delete/);
    expect(() => s.put('k', { n: 10n } as never)).toThrow(/a bigint at n/);
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(() => s.put('k', cyclic as never)).toThrow(/a cycle at self/);
    expect(() => s.put(42 as never, 1)).toThrow("bolt 'count': state put(): state keys must be strings, got number 42");
    expect(() => s.increment({} as never)).toThrow(/state keys must be strings, got an object/);
    expect(() => s.putField('k', 'f', (() => 1) as never)).toThrow(/putField\('k', 'f'\): a function/);
    s.put('str', 'x');
    expect(() => s.increment('str')).toThrow(/holds string, not a number/);
    expect(s.changed).toBe(1); // refused puts changed nothing
  });

  it('restores what a checkpoint holds without marking it changed', () => {
    const s = new TaskState("bolt 'count'");
    s.load([['a', '3'], ['b', '{"x":[1]}']]);
    expect(s.get('a')).toBe(3);
    expect(s.get('b')).toEqual({ x: [1] });
    expect(s.changed).toBe(0);
  });
});
