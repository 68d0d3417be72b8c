/**
 * The checks a topology module's batch declarations go through (src/batch/app.ts, dataset.ts,
 * format.ts): each mistake is refused naming what the user wrote, a parser's throw is a
 * rejection, and a fact is checked by its own dataset's validation plus the id and event time
 * every dataset needs.
 */
import { describe, expect, it } from 'vitest';
import { batchDeclarations, datasetOfFormat } from '../../src/batch/app.js';
import { defineDataset, factProblem } from '../../src/batch/dataset.js';
import { accept, defineFormat, parseLine, reject } from '../../src/batch/format.js';
import { defineBatchInput } from '../../src/batch/runner/input.js';

interface Refund { id: string; at: number; cents: number }
const refunds = defineDataset<Refund>({
  name: 'refunds', eventTime: (r) => r.at, id: (r) => r.id,
  validate: (v) => (typeof v['cents'] === 'number' ? null : "missing numeric 'cents'"),
});
const notes = defineDataset<{ id: string; ts: number }>({ name: 'notes', eventTime: (r) => r.ts, id: (r) => r.id, validate: () => null });
const refundsCsv = defineFormat<Refund>({
  name: 'csv', dataset: 'refunds',
  parse: (line, at) => {
    const [t, c] = line.split(',');
    return t === undefined || c === undefined ? reject('expected at,cents') : accept({ id: at.id, at: Number(t), cents: Number(c) });
  },
});
const at = { id: 'f:1', source: 'f', lineNumber: 1, options: {} };

describe('dataset and format definitions', () => {
  it('refuse a bad shape naming the field', () => {
    expect(() => defineDataset({ name: 'Bad Name', eventTime: () => 0, id: () => '', validate: () => null })).toThrow(/dataset name must be a folder name .*"Bad Name"/);
    expect(() => defineDataset({ name: 'x', eventTime: 5, id: () => '', validate: () => null } as never)).toThrow("dataset 'x': eventTime must be a function");
    expect(() => defineFormat({ name: '', parse: () => reject('') })).toThrow('format name must be a non-empty string');
    expect(() => defineFormat({ name: 'f' } as never)).toThrow("format 'f': parse must be a function");
  });

  it('check a fact by its dataset, then its id and event time', () => {
    expect(factProblem(refunds, { id: 'a', at: 1, cents: 5 })).toBeNull();
    expect(factProblem(refunds, [1])).toBe('not a JSON object');
    expect(factProblem(refunds, { id: 'a', at: 1 })).toBe("missing numeric 'cents'");
    expect(factProblem(refunds, { id: '', at: 1, cents: 5 })).toBe(`no id (refunds's id gave "")`);
    expect(factProblem(refunds, { id: 'a', at: 'noon', cents: 5 })).toBe("no event time (refunds's eventTime gave noon)");
    expect(factProblem(refunds, { id: 'a', at: 9e15, cents: 5 })).toBe('event time is outside the dates JavaScript can represent');
    const throwing = defineDataset<Refund>({ ...refunds, validate: () => { throw new Error('boom'); } });
    expect(factProblem(throwing, { id: 'a', at: 1, cents: 5 })).toBe("refunds's validation threw: boom");
  });

  it('turn a parser that throws, or returns nothing, into a rejection', () => {
    expect(parseLine(refundsCsv, '10,5', at)).toEqual({ ok: true, record: { id: 'f:1', at: 10, cents: 5 } });
    expect(parseLine(refundsCsv, 'x', at)).toEqual({ ok: false, reason: 'expected at,cents' });
    const boom = defineFormat({ name: 'boom', parse: () => { throw new Error('no'); } });
    expect(parseLine(boom, 'x', at)).toEqual({ ok: false, reason: "format 'boom' threw: no" });
    const nothing = defineFormat({ name: 'nothing', parse: () => undefined as never });
    expect(parseLine(nothing, 'x', at)).toEqual({ ok: false, reason: "format 'nothing' returned no outcome" });
  });
});

describe('a module\'s declarations, across each other', () => {
  it('accept datasets, formats and a batch input that agree', () => {
    const batchInput = defineBatchInput<Refund, Refund>({ dataset: 'refunds', eventOf: (r) => r, groupOf: (r) => r.id });
    const d = batchDeclarations({ datasets: [refunds, notes], formats: [refundsCsv], batchInput }, 'm.ts');
    expect([d.datasets.map((x) => x.name), d.formats.map((f) => f.name), d.batchInput?.dataset]).toEqual([['refunds', 'notes'], ['csv'], 'refunds']);
    expect(batchDeclarations({}, 'm.ts')).toEqual({ datasets: [], formats: [], batchInput: null });
  });

  it('refuse a dataset or a format declared twice', () => {
    expect(() => batchDeclarations({ datasets: [refunds, notes, refunds] }, 'm.ts')).toThrow("m.ts: dataset 'refunds' is declared twice");
    expect(() => batchDeclarations({ datasets: [refunds], formats: [refundsCsv, refundsCsv] }, 'm.ts')).toThrow("m.ts: format 'csv' is declared twice");
    expect(() => batchDeclarations({ datasets: refunds }, 'm.ts')).toThrow('the `datasets` export must be an array');
  });

  it('refuse a format or a batch input over an undeclared dataset, naming the ones declared', () => {
    expect(() => batchDeclarations({ datasets: [notes], formats: [refundsCsv] }, 'm.ts')).toThrow("m.ts: format 'csv': dataset 'refunds' is not declared: it declares 'notes'");
    const batchInput = defineBatchInput({ dataset: 'refunds', eventOf: (r) => r, groupOf: () => '' });
    expect(() => batchDeclarations({ batchInput }, 'm.ts')).toThrow("m.ts: batchInput: dataset 'refunds' is not declared: it declares none (export `datasets`)");
  });

  it('give a format without a dataset the module\'s only one, and ask when there are several', () => {
    const loose = defineFormat({ name: 'loose', parse: () => reject('') });
    expect(datasetOfFormat([notes], loose, 'm.ts').name).toBe('notes');
    expect(() => datasetOfFormat([notes, refunds], loose, 'm.ts')).toThrow("m.ts: format 'loose' must name its dataset (one of 'notes', 'refunds')");
    expect(() => datasetOfFormat([], loose, 'm.ts')).toThrow("format 'loose' has no dataset to fill");
  });
});
