// The bench's verdict lines judge what a full run measured: read back from a full run's JSON
// (bench/results/2026-12-04T20-45-30-811Z.json, committed), every target of issue 18 and the
// YSB target is measured, including the batch ratio, whose variants are reports of their own.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { verdicts } from '../../bench/lib/verdicts.js';
import type { ChildReport } from '../../bench/lib/report.js';

const run = JSON.parse(readFileSync(new URL('../../bench/results/2026-12-04T20-45-30-811Z.json', import.meta.url), 'utf8')) as { reports: ChildReport[] };

describe('bench verdicts', () => {
  it('judges every target of a full run, none left "not measured"', () => {
    const list = verdicts(run.reports);
    expect(list.map((v) => v.status)).not.toContain('not measured');
    const by = new Map(list.map((v) => [v.target, v]));
    // threads-2's 6888 ms against DuckDB's 1556 ms, though threads-1 is the first batch report.
    expect(by.get('batch wall (2 threads) <= 2.0x DuckDB')).toMatchObject({ measured: '4.43x', status: 'missed' });
    expect(by.get('const-spout-id-bolt-null-bolt acking off, 2 workers >= 0.8x raw-channel')).toMatchObject({ measured: '0.90x', status: 'met' });
  });

  it('says "not measured" for a target whose rows the run lacks', () => {
    const withoutDuck = run.reports.filter((r) => r.scenario !== 'duckdb-batch');
    const v = verdicts(withoutDuck).find((x) => x.target.startsWith('batch wall'));
    expect(v).toMatchObject({ measured: null, status: 'not measured' });
  });
});
