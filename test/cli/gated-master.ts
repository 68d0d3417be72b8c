// A master dataset for the gated batch fixture (test/fixtures/cli/gated-batch.ts): the orders
// log plus one order of customer 'gate' on a later date, whose part is mapped last.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { cliFixture, ROOT, topo } from './run-cli.js';

const GATED = cliFixture('gated-batch.ts');

/** Ingests it into `master`, with its scratch files in `scratch`. */
export async function gatedMaster(master: string, scratch: string): Promise<void> {
  const gateCsv = join(scratch, 'gate.csv');
  writeFileSync(gateCsv, 'o-2001,2024-03-05T12:00:00Z,gate,tea,100\n');
  for (const f of [join(ROOT, 'topologies', 'data', 'orders.csv'), gateCsv]) {
    const r = await topo(['ingest', f, '--topology', GATED, '--format', 'csv', '--master', master, '--rejects', join(scratch, 'rejects.jsonl'), '-q']);
    expect(r.code, r.stderr).toBe(0);
  }
}

