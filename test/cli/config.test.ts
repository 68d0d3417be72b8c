// Where a component's config comes from: dedicated flags (--workers) beat `-c` pairs, which
// beat the topology file's config (test/fixtures/cli/config-echo.ts: workers 1, fromFile and
// overridden 'file'), which beats the defaults. `-c` values are JSON when they parse as JSON.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cliFixture, summaryOf, tempDir, topo } from './run-cli.js';

let tmp: ReturnType<typeof tempDir>;
let runs = 0;

beforeAll(() => {
  assertBuilt();
  tmp = tempDir('config');
});

afterAll(() => tmp?.remove());

/** Run the echo fixture; returns the config its spout saw and the summary's worker count. */
async function echo(...args: string[]): Promise<{ config: Record<string, unknown>; workers: number }> {
  const output = join(tmp.dir, `config-${++runs}.json`);
  const r = await topo(['run', cliFixture('config-echo.ts'), '-c', `output=${output}`, '--json', '-q', ...args]);
  expect(r.code, r.stderr).toBe(0);
  const summary = summaryOf(r);
  expect(summary.status).toBe('completed');
  return { config: JSON.parse(readFileSync(output, 'utf8')) as Record<string, unknown>, workers: summary.workers };
}

describe('topo run -c precedence', () => {
  it('the topology file config over the defaults', async () => {
    const { config, workers } = await echo();
    expect(workers).toBe(1);
    expect(config).toMatchObject({ workers: 1, ackers: 1, fromFile: 'file', overridden: 'file' });
    // Defaults stay where nobody set a value.
    expect(config).toMatchObject({ messageTimeoutMs: 30000, enableMessageTimeouts: true, maxSpoutPending: 1000 });
  }, 20_000);

  it('-c pairs over the topology file config', async () => {
    const { config, workers } = await echo('-c', 'workers=2', '-c', 'overridden=cli', '-c', 'messageTimeoutMs=4000');
    expect(workers).toBe(2);
    expect(config).toMatchObject({ workers: 2, ackers: 2, fromFile: 'file', overridden: 'cli', messageTimeoutMs: 4000 });
  }, 20_000);

  it('dedicated flags over -c pairs, whatever their order', async () => {
    const { config, workers } = await echo('--workers', '3', '-c', 'workers=2', '--ackers', '1', '-c', 'ackers=3');
    expect(workers).toBe(3);
    expect(config).toMatchObject({ workers: 3, ackers: 1, fromFile: 'file', overridden: 'file' });
  }, 20_000);

  it('-c values are parsed as JSON when they are JSON, kept as strings otherwise', async () => {
    const { config } = await echo(
      '-c', 'n=5', '-c', 's=abc', '-c', 'o={"a":1}', '-c', 'b=true', '-c', 'q="5"', '-c', 'list=[1,"x"]', '-c', 'eq=a=b', '-c', 'empty=',
    );
    expect(config['n']).toBe(5);
    expect(config['s']).toBe('abc');
    expect(config['o']).toEqual({ a: 1 });
    expect(config['b']).toBe(true);
    expect(config['q']).toBe('5');
    expect(config['list']).toEqual([1, 'x']);
    expect(config['eq']).toBe('a=b');
    expect(config['empty']).toBe('');
  }, 20_000);

  it('the last of repeated -c pairs for one key wins', async () => {
    const { config } = await echo('-c', 'overridden=first', '-c', 'overridden=second');
    expect(config['overridden']).toBe('second');
  }, 20_000);
});
