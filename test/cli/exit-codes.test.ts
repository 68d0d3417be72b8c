// Exit codes of `topo`: 0 completed or cleanly stopped, 1 failed/incomplete or a bad
// topology file, 2 bad usage (a missing one too), 3 completed with failures (poison-input.test.ts).
// Every error message names what is wrong.
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cliFixture, spawnTopo, summaryOf, topo, topologyFile, waitForOutput } from './run-cli.js';

const WORDCOUNT = topologyFile('wordcount.ts');

beforeAll(assertBuilt);

describe('usage errors exit 2', () => {
  it('--help exits 0 and lists the commands', async () => {
    const r = await topo(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/run \[options\] <file>/);
    expect(r.stdout).toMatch(/validate \[options\] <file>/);
  });

  it.each([
    ['an unknown option', ['run', WORDCOUNT, '--frobnicate'], /unknown option '--frobnicate'/],
    ['an unknown command', ['frob', WORDCOUNT], /unknown command 'frob'/],
    ['--workers abc', ['run', WORDCOUNT, '--workers', 'abc'], /--workers must be an integer >= 1, got 'abc'/],
    ['--workers 0', ['run', WORDCOUNT, '--workers', '0'], /--workers/],
    ['--ackers -1', ['run', WORDCOUNT, '--ackers=-1'], /--ackers/],
    ['-c without =', ['run', WORDCOUNT, '-c', 'novalue'], /-c expects key=value, got 'novalue'/],
    ['--duration xyz', ['run', WORDCOUNT, '--duration', 'xyz'], /--duration: 'xyz' is not a duration/],
    ['a missing file argument', ['run'], /missing required argument 'file'/],
    ['an invalid runtime config value', ['run', WORDCOUNT, '-c', 'messageTimeoutMs="soon"'], /messageTimeoutMs/],
  ])('%s', async (_name, args, message) => {
    const r = await topo(args);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  }, 20_000);
});

describe('bad topology files exit 1', () => {
  it('a missing file, named in the message, is bad usage: exit 2', async () => {
    const r = await topo(['run', 'topologies/no-such-topology.ts']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/topology file not found: topologies\/no-such-topology\.ts/);
  });

  it('a component whose prepare throws, named with its error', async () => {
    const r = await topo(['run', cliFixture('prepare-throws.ts'), '--workers', '2', '--json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/component 'needs-db' \(task \d+\) failed to start: Error: database unreachable/);
    expect(r.stdout).toBe('');
  }, 20_000);

  it('a file whose default export is not a topology', async () => {
    const r = await topo(['run', cliFixture('not-a-topology.ts')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not-a-topology\.ts must default-export a topology: `export default builder\.build\('name'\)`/);
  }, 20_000);

  it('a topology that fails validation: component and field named', async () => {
    const r = await topo(['run', cliFixture('bad-fields.ts')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/topology 'bad-fields' is invalid \(1 problem\)/);
    expect(r.stderr).toMatch(/bolt 'by-id': fields grouping on 'counter' stream 'default' uses field 'id'/);
  }, 20_000);
});

describe('how a run ends', () => {
  it('--duration 1s stops a never-ending spout: exit 0, status "stopped"', async () => {
    const r = await topo(['run', cliFixture('endless.ts'), '--workers', '2', '--duration', '1s', '--json', '-q']);
    expect(r.code, r.stderr).toBe(0);
    const s = summaryOf(r);
    expect(s.status).toBe('stopped');
    expect(s.pending).toBe(0);
    expect(s.spouts['counter']!.acked).toBeGreaterThan(0);
    expect(s.spouts['counter']!.acked).toBe(s.bolts['sink']!.acked);
  }, 30_000);

  it('SIGINT drains the pending trees and exits 0 with status "stopped"', async () => {
    const run = spawnTopo(['run', cliFixture('endless.ts'), '--workers', '2', '--metrics-interval', '300ms', '--json']);
    // Signal once the run is going: the CLI handles SIGINT from the moment the topology has
    // started, and the first progress line comes after that. Before it (bundling, threads
    // starting) Node's default action would kill the process, which is not what we test.
    const progress = /\bpending \d+/;
    // Generous: on a loaded 2-core machine bundling and starting threads can take a while.
    await waitForOutput(run.out, (err) => progress.test(err), 45_000);
    if (!progress.test(run.out.stderr)) run.child.kill('SIGKILL');
    expect(run.out.stderr, 'no progress line within 45 s').toMatch(progress);
    run.child.kill('SIGINT');
    const r = await run.done;
    expect(r.signal).toBeNull();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/SIGINT: stopping spouts and draining/);
    const s = summaryOf(r);
    expect(s.status).toBe('stopped');
    expect(s.pending).toBe(0);
    expect(s.spouts['counter']!.acked).toBeGreaterThan(0);
  }, 90_000);

  it('a drain that times out (trees never acked) ends "incomplete" with exit 1', async () => {
    const r = await topo(['run', cliFixture('never-acks.ts'), '--workers', '2', '--duration', '1s', '-c', 'messageTimeoutMs=1500', '--json']);
    expect(r.code).toBe(1);
    const s = summaryOf(r);
    expect(s.status).toBe('incomplete');
    expect(s.pending).toBeGreaterThan(0);
    expect(s.spouts['counter']!.acked).toBe(0);
    expect(r.stderr).toMatch(/drain timed out with \d+ trees still pending/);
  }, 30_000);
});
